import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../../components/config/errors";
import { configError, parseError, raw } from "../../helpers/config";

/** ConfigError (components/config/errors.ts): the one-line message every invalid config ends with. */

describe("ConfigError", () => {
    test("is a RunError, so the CLI prints the message without a stack trace", () => {
        const err = new ConfigError("flyte:x", "v", "allowed: w");
        expect(pulumi.RunError.isInstance(err)).toBe(true);
        expect(err).toBeInstanceOf(Error);
        expect(err.message).toBe('invalid config flyte:x = "v": allowed: w');
        expect(err.key).toBe("flyte:x");
        expect(err.value).toBe("v");
        expect(err.allowed).toBe("allowed: w");
    });

    test("keeps the message on one line even when the allowed text or the value has line breaks", () => {
        const err = new ConfigError("flyte:x", "a\nb", "allowed:\n  one\n  two");
        expect(err.message).toBe('invalid config flyte:x = "a\\nb": allowed: one two');
    });

    test("cuts a very long value", () => {
        const err = new ConfigError("flyte:x", "y".repeat(500), "allowed: short");
        expect(err.message).toContain(`"${"y".repeat(119)}…`);
        expect(err.message.length).toBeLessThan(200);
    });

    test("parse errors are ConfigErrors, never plain errors", () => {
        const err = parseError(raw({ "flyte:cloud": "gcp", "flyte:gkeDiskSizeGb": "-1" }));
        expect(err).toBeInstanceOf(ConfigError);
    });

    test("of several unknown keys the first in sort order is reported", () => {
        const err = configError(raw({ "flyte:zzz": "1", "flyte:aaa": "2" }));
        expect(err.key).toBe("flyte:aaa");
        expect(err.message).toContain('"2"');
    });
});
