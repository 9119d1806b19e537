import { createHash } from "crypto";
import { prng } from "./random";

/**
 * Inputs for the tests of names and labels derived from the Pulumi project and stack: valid Pulumi names at the
 * edges of what Pulumi allows, seeded random ones, and the hash the program appends (recomputed here, not imported).
 */

/** What Pulumi accepts as a project or stack name. */
export const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
export const PULUMI_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
export const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Pulumi project names at the edges: one character, punctuation only, case, separators at the ends, 100
 * characters, and words some cloud reserves (google, goog, xn--, sthree, amzn).
 */
export const EDGE_PROJECTS: readonly string[] = [
    "flyte", "a", "F", "1", "_", ".", "-", "...", "FLYTE", "google", "goog", "googly-flows", "Google_Flyte", "_flyte_",
    "-flyte-", ".flyte.", "my.project_name-1", "xn--flyte", "sthree", "amzn", "x".repeat(100), "9".repeat(100),
    `${"a".repeat(99)}-`, `-${"Z".repeat(99)}`,
];

/** Pulumi stack names at the edges, likewise, with S3's reserved s3-demo- inside. */
export const EDGE_STACKS: readonly string[] = [
    "a", "0", "_", ".", "-", "dev", "Dev", "PROD", "a_b", "a-b", "a.b", "google", "googlegoogle", "GoOgLe", "goog",
    "s3-demo-x", "12345", "9".repeat(100), "z".repeat(100), "Z".repeat(100), `_${"x".repeat(98)}_`, "-dev-", "_dev_",
    ".dev.", "__", "--", "x.y_z-W", "org.dev",
];

/** Every edge project with every edge stack. */
export const EDGE_COMBOS: readonly { readonly pulumiProject: string; readonly stack: string }[] = EDGE_PROJECTS.flatMap((pulumiProject) =>
    EDGE_STACKS.map((stack) => ({ pulumiProject, stack })),
);

export function randomString(rand: () => number, alphabet: string, length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) {
        s += alphabet[Math.floor(rand() * alphabet.length)];
    }
    return s;
}

/**
 * A valid Pulumi project or stack name; lengths spread over short, medium and up to 100. Some are in the common
 * lowercase style, most from the whole alphabet, and one in ten is made odd by `oddity` (a cloud's reserved
 * word or prefix worked in).
 */
export function randomPulumiName(rand: () => number, oddity: (name: string, rand: () => number) => string): string {
    const r = rand();
    const length = r < 0.4 ? 1 + Math.floor(rand() * 12) : r < 0.8 ? 13 + Math.floor(rand() * 40) : 53 + Math.floor(rand() * 48);
    const style = rand();
    if (style < 0.3) {
        return randomString(rand, `${LOWER_ALNUM}-`, length);
    }
    const name = randomString(rand, PULUMI_ALPHABET, length);
    return style > 0.9 ? oddity(name, rand) : name;
}

/** The first `length` hex digits of the text's sha256: what the program appends to keep cut names apart. */
export function sha256Prefix(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Label values to normalise: valid Pulumi names at the edges of a label's 63 characters, and 400 seeded random ones. */
export function labelInputs(): string[] {
    const edges = [
        "a", "Z", "0", "_", ".", "-", "...", "___", "dev", "Dev", "DEV", "prod-eu-1", "a_b", "a.b", "_dev", "dev_", ".dev", "dev.",
        "-dev", "dev-", "x".repeat(63), "x".repeat(64), "X".repeat(63), "y".repeat(100), `${"a".repeat(56)}.......`,
        `${"a".repeat(55)}_-_-_-_-_`, "9".repeat(100), `_${"Q".repeat(98)}_`,
    ];
    const rand = prng(42);
    const sample = Array.from({ length: 400 }, () => randomString(rand, PULUMI_ALPHABET, 1 + Math.floor(rand() * 100)));
    return [...edges, ...sample];
}
