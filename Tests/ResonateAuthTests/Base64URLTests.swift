// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateAuth

@Suite("Strict base64url")
struct Base64URLTests {
    @Test(
        "canonical unpadded base64url decodes",
        arguments: [
            ("", []),
            ("AA", [0]),
            ("AAA", [0, 0]),
            ("AAAA", [0, 0, 0]),
            ("Zg", Array("f".utf8)),
            ("Zm8", Array("fo".utf8)),
            ("Zm9v", Array("foo".utf8)),
            ("Zm9vYg", Array("foob".utf8)),
            ("-w", [0xFB]),
            ("_-8", [0xFF, 0xEF]),
            ("____", [0xFF, 0xFF, 0xFF]),
        ] as [(String, [UInt8])]
    )
    func decodes(text: String, bytes: [UInt8]) {
        #expect(Base64URL.decode(Substring(text).utf8) == bytes)
    }

    @Test(
        "anything else is refused",
        arguments: [
            "A",  // a length of 1 modulo 4 encodes no whole byte
            "AAAAA",
            "Zg==",  // padding
            "Zg=",
            "+w",  // the standard alphabet
            "/w",
            "Zm 9v",  // whitespace
            "Zm9v\n",
            "AB",  // unused low bits set
            "Zh",
            "Zm9",
            "-_",
            "Zm9v.",
            "é",
        ]
    )
    func refuses(text: String) {
        #expect(Base64URL.decode(Substring(text).utf8) == nil)
    }
}
