// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Instrumentation
import ServiceContextModule
import Tracing

/// Carries trace context in string maps: the `headers` of a promise's param (so that an execution resumed on
/// another process, hours later, continues the trace of the call that started it) and HTTP request headers.
enum TraceContextCarrier {
    /// The tracer to use: the configured one, else the process's (`InstrumentationSystem.tracer`, a no-op until
    /// the application bootstraps one). Read at each use, so bootstrapping after creating `Resonate` works.
    static func tracer(_ configured: (any Tracer)?) -> any Tracer {
        configured ?? InstrumentationSystem.tracer
    }

    /// The current task's trace context as headers, or `nil` when there is none to carry.
    static func currentHeaders(tracer: any Tracer) -> [String: String]? {
        guard let context = ServiceContext.current else { return nil }
        var headers: [String: String] = [:]
        tracer.inject(context, into: &headers, using: DictionaryInjector())
        return headers.isEmpty ? nil : headers
    }

    /// The trace context stored in `headers` (none: a context with nothing in it, which starts a new trace).
    static func context(from headers: [String: String]?, tracer: any Tracer) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let headers, !headers.isEmpty {
            tracer.extract(headers, into: &context, using: DictionaryExtractor())
        }
        return context
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key] = value
        }
    }

    struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? {
            carrier[key]
        }
    }
}
