import { deploymentName, fitName, shortHash, slug } from "../../../components/shared/names";
import { EDGE_PROJECTS, EDGE_STACKS, sha256Prefix } from "../../helpers/names";

/** Names within a cloud's limits, from any valid Pulumi project and stack (components/shared/names.ts). */

describe("deploymentName", () => {
    test("keeps an already-clean <project>-<stack>", () => {
        expect(deploymentName("flyte", "dev")).toBe("flyte-dev");
        expect(deploymentName("flyte", "prod-eu-1")).toBe("flyte-prod-eu-1");
    });

    test("appends a hash of the original when slugging changed anything", () => {
        expect(deploymentName("flyte", "Dev")).toBe(`flyte-dev-${sha256Prefix("flyte-Dev", 6)}`);
        expect(deploymentName("flyte", "a.b")).toBe(`flyte-a-b-${sha256Prefix("flyte-a.b", 6)}`);
        expect(deploymentName("flyte", "-dev-")).toBe(`flyte-dev-${sha256Prefix("flyte--dev-", 6)}`);
    });

    test("starts with a letter", () => {
        expect(deploymentName("1", "2")).toBe("f1-2");
        expect(deploymentName("_", "_")).toMatch(/^[a-z]/);
        for (const p of EDGE_PROJECTS) {
            for (const s of EDGE_STACKS) {
                expect(deploymentName(p, s)).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
            }
        }
    });

    test("names from punctuation only are a hash", () => {
        const name = deploymentName(".", ".");
        expect(name).toMatch(/^f?[0-9a-f]{6}$/);
        expect(name.endsWith(sha256Prefix(".-.", 6))).toBe(true);
    });

    test("case and punctuation variants of one stack get different names", () => {
        const variants = ["dev", "Dev", "DEV", "d_ev", "d.ev", "d-ev", "dev_", "dev.", "dev-", "_dev", ".dev", "-dev"];
        const names = variants.map((s) => deploymentName("flyte", s));
        expect(new Set(names).size).toBe(variants.length);
    });
});

describe("fitName", () => {
    test("returns <base>-<suffix> when it fits", () => {
        expect(fitName("abc", "x", 10)).toBe("abc-x");
        expect(fitName("abcd", "xyzab", 10)).toBe("abcd-xyzab");
        expect(fitName("abcdefghij", "", 10)).toBe("abcdefghij");
    });

    test("cuts the base and inserts a hash of the whole base when too long, filling exactly max", () => {
        const base = "abcdefghijklmnopqrstuvwxyz";
        expect(fitName(base, "sfx", 20)).toBe(`abcdefghi-${sha256Prefix(base, 6)}-sfx`);
        expect(fitName(base, "sfx", 20)).toHaveLength(20);
        expect(fitName(base, "", 10)).toBe(`abc-${sha256Prefix(base, 6)}`);
    });

    test("does not leave a hyphen at the cut", () => {
        const base = "abcdefgh-ijklmnopqrstu";
        expect(fitName(base, "s", 18)).toBe(`abcdefgh-${sha256Prefix(base, 6)}-s`);
    });

    test("two bases sharing a long prefix stay apart", () => {
        const a = fitName(`${"p".repeat(80)}-one`, "vpc", 63);
        const b = fitName(`${"p".repeat(80)}-two`, "vpc", 63);
        expect(a).not.toBe(b);
        expect(a).toHaveLength(63);
        expect(b).toHaveLength(63);
    });

    test("refuses a suffix that cannot fit", () => {
        expect(() => fitName("abcdefgh", "suffix", 10)).toThrow('cannot fit suffix "suffix" into 10 characters');
        expect(() => fitName("abcdefgh", "", 7)).toThrow("cannot fit");
    });
});

describe("slug and shortHash", () => {
    test("slug lowercases, maps other characters to single hyphens and trims them", () => {
        expect(slug("My_Project..Name")).toBe("my-project-name");
        expect(slug("--a--b--")).toBe("a-b");
        expect(slug("___")).toBe("");
    });

    test("shortHash is a sha256 hex prefix", () => {
        expect(shortHash("abc")).toBe("ba7816");
        expect(shortHash("abc", 8)).toBe("ba7816bf");
    });
});
