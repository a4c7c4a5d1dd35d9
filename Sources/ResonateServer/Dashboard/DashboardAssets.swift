// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The dashboard's stylesheet and script: small, checked in, served from the binary.
enum DashboardAssets {
    static let stylesheet = """
        :root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f8f9fb; --accent: #5b3cc4;
          --ok: #137a3c; --bad: #b42318; --wait: #9a6700; --off: #667085; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; color: var(--accent); text-decoration: none; font-size: 1.1rem; }
        nav a { color: var(--fg); text-decoration: none; margin-right: 1rem; padding-bottom: .2rem; }
        body[data-section=executions] nav a[data-section=executions], body[data-section=workers] nav a[data-section=workers],
        body[data-section=schedules] nav a[data-section=schedules] { border-bottom: 2px solid var(--accent); font-weight: 600; }
        .live { margin-left: auto; color: var(--muted); }
        .badge { background: #fff4e5; color: var(--wait); border-radius: 1rem; padding: .1rem .6rem; font-size: .8rem; }
        main { padding: 1.2rem 1.5rem; max-width: 1200px; }
        h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.6rem; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: .45rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
        a { color: var(--accent); }
        code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
        pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
        .cards { display: flex; flex-wrap: wrap; gap: .7rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .6rem 1rem; min-width: 8rem; }
        .card .count { display: block; font-size: 1.5rem; font-weight: 700; }
        .card .name, .muted, .stats { color: var(--muted); }
        .filter { display: flex; gap: .5rem; margin: 1rem 0; flex-wrap: wrap; }
        input, select, textarea, button { font: inherit; padding: .35rem .55rem; border: 1px solid var(--line); border-radius: .35rem; background: #fff; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
        form.inline { display: inline-flex; gap: .4rem; margin: .4rem 0; }
        form.settle { display: flex; gap: .4rem; align-items: flex-start; margin: .6rem 0; }
        form.settle textarea { flex: 1; font-family: ui-monospace, monospace; }
        .state { border-radius: 1rem; padding: .05rem .55rem; font-size: .8rem; background: #eef0f4; white-space: nowrap; }
        .state.resolved { background: #e7f6ec; color: var(--ok); }
        .state.rejected, .state.rejected_timedout { background: #fdecea; color: var(--bad); }
        .state.rejected_canceled { background: #eef0f4; color: var(--off); }
        .state.pending { background: #fff4e5; color: var(--wait); }
        .notice { background: #eef4ff; border: 1px solid #c7d7fe; padding: .5rem .8rem; border-radius: .4rem; }
        .empty { color: var(--muted); }
        .tree { background: #fff; border: 1px solid var(--line); padding: .7rem; }
        .timeline { background: #fff; border: 1px solid var(--line); padding: .5rem .7rem; }
        .step { display: grid; grid-template-columns: 16rem 1fr 5rem; gap: .6rem; align-items: center; margin: .15rem 0; }
        .step .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .track { background: #f2f4f7; height: .7rem; border-radius: .2rem; }
        .bar { display: block; height: 100%; min-width: 2px; border-radius: .2rem; background: var(--wait); }
        .bar.resolved { background: var(--ok); } .bar.rejected, .bar.rejected_timedout { background: var(--bad); }
        .bar.rejected_canceled { background: var(--off); }
        .took { color: var(--muted); text-align: right; }
        details.node { background: #fff; border: 1px solid var(--line); border-radius: .4rem; margin: .4rem 0; padding: .4rem .7rem; }
        details.node summary { cursor: pointer; }
        dl { display: grid; grid-template-columns: 7rem 1fr; gap: .2rem .8rem; margin: .6rem 0 0; }
        dt { color: var(--muted); }
        dd { margin: 0; }
        .kind { color: var(--accent); }
        """

    /// Refreshes the page's main part every two seconds while "live" is ticked, keeping open details open and
    /// never while something in a form has the focus.
    static let script = """
        (() => {
          const live = document.getElementById("live");
          if (!live || document.body.dataset.live !== "true") return;
          const refresh = async () => {
            if (!live.checked) return;
            const focused = document.activeElement;
            if (focused && focused.closest("form")) return;
            const open = new Set([...document.querySelectorAll("details[open]")].map(d => d.dataset.id));
            try {
              const response = await fetch(location.href, { headers: { "Accept": "text/html" } });
              if (!response.ok) return;
              const page = new DOMParser().parseFromString(await response.text(), "text/html");
              const fresh = page.getElementById("main");
              if (!fresh) return;
              for (const details of fresh.querySelectorAll("details")) {
                if (open.has(details.dataset.id)) details.setAttribute("open", "");
              }
              document.getElementById("main").replaceWith(fresh);
              document.body.dataset.refreshed = String(Date.now());
            } catch (_) { /* the server may be restarting; try again on the next tick */ }
          };
          setInterval(refresh, 2000);
        })();
        """
}
