// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

@_exported public import protocol ResonateEngine.EngineClock
@_exported public import struct ResonateEngine.EpochInstant
@_exported public import class ResonateEngine.ManualClock
@_exported public import class ResonateEngine.SystemClock
// The protocol types that appear in the SDK's API, so `import Resonate` is all an application needs.
@_exported public import enum ResonateProtocol.JSONValue
@_exported public import struct ResonateProtocol.PromiseRecord
@_exported public import enum ResonateProtocol.PromiseState
@_exported public import struct ResonateProtocol.ScheduleRecord
@_exported public import struct ResonateProtocol.Value
