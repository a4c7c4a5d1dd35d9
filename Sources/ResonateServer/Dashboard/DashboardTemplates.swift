// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Mustache

/// The dashboard's Mustache templates. They live in the binary, so a copied `resonate` serves its dashboard with
/// nothing to find at run time.
enum DashboardTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", layout), ("executions", executions), ("execution", execution), ("workers", workers),
            ("schedules", schedules), ("message", message),
        ] {
            try library.register(text, named: name)
        }
        return library
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{layout.title}} · Resonate</title>
        <link rel="stylesheet" href="/ui/assets/dashboard.css">
        </head>
        <body data-section="{{layout.section}}" data-live="{{#layout.isLive}}true{{/layout.isLive}}">
        <header>
        <a class="brand" href="/ui">Resonate</a>
        <nav>
        <a href="/ui" data-section="executions">Executions</a>
        <a href="/ui/workers" data-section="workers">Workers</a>
        <a href="/ui/schedules" data-section="schedules">Schedules</a>
        </nav>
        {{#layout.isReadOnly}}<span class="badge" title="The token may not change these promises">read-only</span>{{/layout.isReadOnly}}
        {{#layout.isLive}}<label class="live"><input type="checkbox" id="live" checked> live</label>{{/layout.isLive}}
        </header>
        <main id="main">
        {{#layout.notice}}<p class="notice" role="status">{{layout.notice}}</p>{{/layout.notice}}
        {{$content}}{{/content}}
        </main>
        <script src="/ui/assets/dashboard.js"></script>
        </body>
        </html>
        """

    static let executions = """
        {{<layout}}{{$content}}
        <section class="overview" aria-label="Overview">
        <div class="cards">
        {{#overview.promises}}<div class="card"><span class="count">{{count}}</span><span class="name">{{name}}</span></div>{{/overview.promises}}
        </div>
        <p class="stats">
        tasks {{#overview.tasks}}<span>{{name}} <b>{{count}}</b></span> {{/overview.tasks}}
        · outbox <b>{{overview.outboxDepth}}</b> (parked {{overview.parked}}, relayed {{overview.relayed}})
        · SSE connections <b>{{overview.connections}}</b> · schedules <b>{{overview.schedules}}</b>
        · <b>{{overview.requestsPerSecond}}</b> requests/s · timer lateness <b>{{overview.timerLateness}}</b>
        </p>
        </section>
        <form class="filter" method="get" action="/ui">
        <select name="state" aria-label="state"><option value="">any state</option>{{#filter.states}}<option value="{{value}}"{{#isSelected}} selected{{/isSelected}}>{{value}}</option>{{/filter.states}}</select>
        <input name="prefix" placeholder="id prefix" value="{{filter.idPrefix}}" aria-label="id prefix">
        <input name="function" placeholder="function" value="{{filter.function}}" aria-label="function">
        <input name="tag" placeholder="tag key=value" value="{{filter.tag}}" aria-label="tag">
        <button type="submit">Filter</button>
        </form>
        <table class="executions">
        <thead><tr><th>execution</th><th>state</th><th>function</th><th>target</th><th>age</th><th>duration</th><th>attempt</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="{{href}}">{{id}}</a></td><td><span class="state {{state}}">{{state}}</span></td><td>{{function}}</td><td>{{target}}</td><td>{{age}}</td><td>{{duration}}</td><td>{{attempt}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{^rows}}<p class="empty">No executions match.</p>{{/rows}}
        {{#nextPage}}<p><a class="next" href="/ui?{{nextPage}}">Next page →</a></p>{{/nextPage}}
        {{/content}}{{/layout}}
        """

    static let execution = """
        {{<layout}}{{$content}}
        <h1><code>{{id}}</code> <span class="state {{state}}">{{state}}</span></h1>
        {{#isPending}}{{^layout.isReadOnly}}
        <form method="post" action="/ui/cancel" class="inline">
        <input type="hidden" name="id" value="{{id}}">
        <input name="reason" placeholder="reason" aria-label="reason">
        <button type="submit" class="danger">Cancel execution</button>
        </form>
        {{/layout.isReadOnly}}{{/isPending}}
        <h2>Call tree</h2>
        <pre class="tree">{{tree}}</pre>
        <h2>Timeline</h2>
        <div class="timeline">
        {{#nodes}}<div class="step"><span class="label" style="padding-left:{{indent}}">{{function}}</span><span class="track"><span class="bar {{state}}" style="margin-left:{{offset}}%;width:{{width}}%"></span></span><span class="took">{{duration}}</span></div>
        {{/nodes}}
        </div>
        <h2>Nodes</h2>
        {{#nodes}}
        <details class="node" data-id="{{id}}"{{#isSettleable}} open{{/isSettleable}}>
        <summary><span class="state {{state}}">{{state}}</span> <code>{{id}}</code> <span class="kind">{{kind}}</span> {{function}} <span class="muted">{{location}} · {{duration}}</span></summary>
        <dl>
        <dt>created</dt><dd>{{created}}</dd>
        <dt>settled</dt><dd>{{settled}}</dd>
        {{#task}}<dt>task</dt><dd>{{state}} · version {{version}} · holder <code>{{holder}}</code> · {{timer}}</dd>{{/task}}
        <dt>arguments</dt><dd><pre>{{arguments}}</pre></dd>
        <dt>result</dt><dd><pre>{{result}}</pre></dd>
        <dt>tags</dt><dd><pre>{{tags}}</pre></dd>
        </dl>
        {{#isSettleable}}{{^layout.isReadOnly}}
        <form method="post" action="/ui/settle" class="settle">
        <input type="hidden" name="id" value="{{id}}">
        <textarea name="value" rows="3" placeholder="a JSON value, such as {&quot;approved&quot;: true}" aria-label="value for {{id}}"></textarea>
        <button type="submit" name="state" value="resolved">Resolve</button>
        <button type="submit" name="state" value="rejected" class="danger">Reject</button>
        </form>
        {{/layout.isReadOnly}}{{/isSettleable}}
        </details>
        {{/nodes}}
        {{/content}}{{/layout}}
        """

    static let workers = """
        {{<layout}}{{$content}}
        <h1>Workers</h1>
        <p class="muted">Processes connected over SSE, by group, with the tasks each holds leased (what
        <code>poll://any@group</code> balances on).</p>
        <table>
        <thead><tr><th>group</th><th>process</th><th>replica</th><th>leased tasks</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{group}}</td><td><code>{{process}}</code></td><td>{{replica}}</td><td>{{leasedTasks}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{^rows}}<p class="empty">No worker is connected.</p>{{/rows}}
        {{/content}}{{/layout}}
        """

    static let schedules = """
        {{<layout}}{{$content}}
        <h1>Schedules</h1>
        <table>
        <thead><tr><th>schedule</th><th>cron</th><th>promise id</th><th>next run</th><th>last run</th><th>promises produced</th><th></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><code>{{id}}</code></td><td><code>{{cron}}</code></td><td><code>{{promiseID}}</code></td><td>{{nextRun}}</td><td>{{lastRun}}</td>
        <td>{{#produced}}<a href="{{href}}">{{id}}</a> {{/produced}}</td>
        <td>{{^layout.isReadOnly}}<form method="post" action="/ui/schedules/delete" class="inline"><input type="hidden" name="id" value="{{id}}"><button type="submit" class="danger">Delete</button></form>{{/layout.isReadOnly}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{^rows}}<p class="empty">No schedules.</p>{{/rows}}
        {{/content}}{{/layout}}
        """

    static let message = """
        {{<layout}}{{$content}}
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        {{#asksForToken}}
        <form method="get" action="/ui" class="inline">
        <input name="token" placeholder="a JWT" aria-label="token" size="60">
        <button type="submit">Use this token</button>
        </form>
        {{/asksForToken}}
        {{/content}}{{/layout}}
        """
}
