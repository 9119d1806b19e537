/**
 * The layering of ARCHITECTURE.md, on the real import graph: each layer imports only the layers below it, and no
 * group of layers imports each other. Run on the product code (not on the tests, which may import anything).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers/plan";
import { ImportEdge, importEdges, layerCycles, LayerRules, layerViolations } from "../helpers/importGraph";

const SHARED = "components/shared";
const CONTRACT = "components/contract";
const PLATFORMS = ["components/gcp", "components/aws", "components/local"];
const FLYTE = "components/flyte";
const CONFIG = "components/config";
/** The verification's probe: it runs in the cluster's pods on Node alone, so it imports nothing of ours. */
const PROBE = "verification";

/** The layers, lowest first, and what each may import. Kept equal to the picture in ARCHITECTURE.md. */
const RULES: LayerRules = {
    [SHARED]: [],
    [CONTRACT]: [SHARED],
    ...Object.fromEntries(PLATFORMS.map((p) => [p, [SHARED, CONTRACT]])),
    [PROBE]: [],
    // The Flyte layer writes the probe's config, typed by the probe's own declaration of it.
    [FLYTE]: [SHARED, CONTRACT, PROBE],
    // Config validation applies the clouds' name rules (lengths, bucket names), kept with each cloud's names.
    [CONFIG]: [SHARED, CONTRACT, ...PLATFORMS],
    "index.ts": [SHARED, CONTRACT, ...PLATFORMS, FLYTE, CONFIG],
    // The offline plan is generic: it knows no component but the placeholder it passes for encrypted values.
    "lib/plan": [SHARED],
    // `npm run verify` runs the deployed Jobs again: it knows them only from the stack's outputs.
    "lib/verify": ["lib/plan"],
    scripts: ["lib/plan", "lib/verify", CONFIG],
    policy: [],
    examples: [],
};

const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "index.ts", "components", "lib", "scripts", "policy/*.ts", "examples", "verification"], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
})
    .split("\n")
    // A file deleted in the working tree but not yet in git's index is listed too: it is no longer product code.
    .filter((f) => f.endsWith(".ts") && fs.existsSync(path.join(PROJECT_DIR, f)));
const edges = importEdges(PROJECT_DIR, files);

test("reads the whole product code", () => {
    expect(files).toEqual(expect.arrayContaining(["index.ts", "components/contract/platform.ts", "lib/plan/runPlan.ts", "scripts/plan.ts"]));
    expect(edges.length).toBeGreaterThan(200);
});

test("no layer imports one above it or beside it", () => {
    expect(layerViolations(edges, RULES)).toEqual([]);
});

test("no layers import each other", () => {
    expect(layerCycles(edges)).toEqual([]);
});

test("every product file is in a layer of the rules", () => {
    const layers = new Set(files.map((f) => (f.startsWith("components/") ? f.split("/").slice(0, 2).join("/") : f.startsWith("lib/") ? f.split("/").slice(0, 2).join("/") : f.split("/")[0])));
    expect([...layers].filter((l) => RULES[l] === undefined)).toEqual([]);
});

describe("the rule catches what it is for", () => {
    const edge = (from: string, to: string): ImportEdge => ({ from, to });

    test("a lower layer importing a higher one", () => {
        expect(layerViolations([edge("components/shared/names.ts", "components/contract/identities.ts")], RULES)).toEqual([
            "components/shared/names.ts → components/contract/identities.ts: components/shared may not import components/contract",
        ]);
        expect(layerViolations([edge("components/contract/platform.ts", "components/flyte/endpoints.ts")], RULES)).toHaveLength(1);
        expect(layerViolations([edge("lib/plan/stackFile.ts", "components/config/reader.ts")], RULES)).toHaveLength(1);
    });

    test("one platform importing another, or the Flyte layer a platform", () => {
        expect(layerViolations([edge("components/gcp/iam.ts", "components/aws/iam.ts")], RULES)).toHaveLength(1);
        expect(layerViolations([edge("components/flyte/release.ts", "components/gcp/names.ts")], RULES)).toHaveLength(1);
        expect(layerViolations([edge("components/gcp/gcpPlatform.ts", "components/config/parse.ts")], RULES)).toHaveLength(1);
    });

    test("a layer the rules do not name", () => {
        expect(layerViolations([edge("components/misc/x.ts", "components/shared/names.ts")], RULES)).toEqual([
            "components/misc/x.ts → components/shared/names.ts: layer components/misc is not in the layering",
        ]);
    });

    test("a cycle between layers, however long", () => {
        expect(
            layerCycles([
                edge("components/config/a.ts", "components/flyte/b.ts"),
                edge("components/flyte/b.ts", "components/contract/c.ts"),
                edge("components/contract/c.ts", "components/config/d.ts"),
                edge("components/shared/e.ts", "components/shared/f.ts"),
            ]),
        ).toEqual([["components/config", "components/contract", "components/flyte"]]);
    });
});
