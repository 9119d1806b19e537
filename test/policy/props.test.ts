/**
 * Reading resource properties (policy/props.ts), above all past the engine's preview proxy, which throws when a
 * value that is not known yet is read.
 */
import { at, isSet, rawAt } from "../../policy/props";

/** The engine's own proxy over resource properties during a preview, and its placeholders for values not known yet. */
const engine = jest.requireActual<{
    unknownCheckingProxy: <T extends object>(props: T) => T;
    unknownStringValue: string;
    unknownArrayValue: string;
}>("@pulumi/policy/proxy");

const props = {
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1",
    listeners: [{ name: "https", tls: { certificateRefs: [{ name: "flyte-tls" }], options: {} } }],
    empty: "",
    none: null,
    list: [],
};

describe("rawAt", () => {
    test("reads nested keys and list indexes as `at` does", () => {
        expect(rawAt(props, "listeners", 0, "tls", "certificateRefs", 0, "name")).toBe("flyte-tls");
        expect(rawAt(props, "listeners", 1)).toBeUndefined();
        expect(rawAt(props, "missing", "deeper")).toBeUndefined();
        expect(rawAt("a string", "length")).toBeUndefined();
        expect(rawAt(undefined, "x")).toBeUndefined();
    });

    test("reads a value the engine does not know yet without throwing, where `at` throws", () => {
        const proxied = engine.unknownCheckingProxy({ metadata: { annotations: { certmap: engine.unknownStringValue } }, spec: engine.unknownArrayValue });
        expect(() => at(proxied, "metadata", "annotations", "certmap")).toThrow(/can't be known during preview/);
        expect(rawAt(proxied, "metadata", "annotations", "certmap")).toBe(engine.unknownStringValue);
        expect(rawAt(proxied, "spec")).toBe(engine.unknownArrayValue);
        // And below a value not known, nothing.
        expect(rawAt(proxied, "spec", 0)).toBeUndefined();
    });

    test("does not take inherited properties for set ones", () => {
        expect(rawAt({}, "toString")).toBeUndefined();
        expect(rawAt([], "length")).toBe(0);
    });
});

describe("isSet", () => {
    test.each([
        ["a string", ["certificateArn"], true],
        ["a non-empty list", ["listeners"], true],
        ["a non-empty map", ["listeners", 0, "tls"], true],
        ["an empty string", ["empty"], false],
        ["null", ["none"], false],
        ["an empty list", ["list"], false],
        ["an empty map", ["listeners", 0, "tls", "options"], false],
        ["absence", ["missing"], false],
    ] as const)("%s is %s", (_, path, expected) => {
        expect(isSet(props, ...path)).toBe(expected);
    });

    test("a value not known yet is set", () => {
        const proxied = engine.unknownCheckingProxy({ certificateArn: engine.unknownStringValue, refs: engine.unknownArrayValue });
        expect(isSet(proxied, "certificateArn")).toBe(true);
        expect(isSet(proxied, "refs")).toBe(true);
        expect(isSet(proxied, "other")).toBe(false);
    });
});
