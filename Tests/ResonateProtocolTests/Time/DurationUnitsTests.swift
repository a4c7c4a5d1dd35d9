// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Testing

@Suite("Duration units: the protocol's milliseconds and the libraries' nanoseconds")
struct DurationUnitsTests {
    @Test(
        "whole units round toward zero",
        arguments: [
            // (duration, whole milliseconds, whole nanoseconds)
            (Duration.seconds(90), 90_000 as Int64, 90_000_000_000 as Int64),
            (.milliseconds(1_500), 1_500, 1_500_000_000),
            (.microseconds(1_999), 1, 1_999_000),
            (.nanoseconds(999_999), 0, 999_999),
            (.zero, 0, 0),
            (.milliseconds(-1_500), -1_500, -1_500_000_000),
            (.microseconds(-1_999), -1, -1_999_000),
        ] as [(Duration, Int64, Int64)]
    )
    func wholeUnits(duration: Duration, milliseconds: Int64, nanoseconds: Int64) {
        #expect(duration.wholeMilliseconds == milliseconds)
        #expect(duration.wholeNanoseconds == nanoseconds)
    }

    @Test("fractional units keep the fraction")
    func fractionalUnits() {
        #expect(Duration.microseconds(1_500).inMilliseconds == 1.5)
        #expect(Duration.milliseconds(2_250).inSeconds == 2.25)
    }
}
