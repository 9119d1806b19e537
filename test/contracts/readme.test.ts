/**
 * README.md as a new user reads it: the commands it shows exist and say what the program does, the links and the
 * stack files' pointers into it land on headings, and the commands derived from outputs match the planned outputs.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers/plan";
import { sharedPlan } from "../helpers/sharedPlans";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const packageScripts = (JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to '-'. */
function anchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
}

const headings = [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim());
const codeBlocks = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));

test("opens with the two commands of a fresh machine, then the offline plan of dev, then the real pulumi up", () => {
    const shell = codeBlocks.filter((b) => b.lang === "sh").map((b) => b.body);
    expect(shell[0]).toBe("npm ci\nnpm test\n");
    expect(shell[1]).toBe("npm run plan -- --stack dev\n");
    expect(shell[2]).toMatch(/pulumi up\n$/);
    expect(readme.indexOf("npm ci\nnpm test")).toBeLessThan(readme.indexOf("## Flyte on your workstation"));
});

test("states how long the suite takes, measured", () => {
    expect(readme).toMatch(/about\s+\d+ s on a 2-core machine \(the first run, with nothing cached, \d+ s/);
    expect(readme).not.toMatch(/SUITE_WARM|SUITE_COLD|BENCH_TABLE/);
    expect(readme).toMatch(/^\| `npm test`, again \(warm\) \| .+ \| \d+ s \|$/m);
    expect(readme).toMatch(/^\| a plan: dev \/ eks \/ local \/ poc \/ prod[^|]* \| .+ \| (\d\.\d \/ ){4}\d\.\d s \|$/m);
});

test("every npm script it runs exists", () => {
    const used = [...new Set([...readme.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]))].sort();
    expect(used).toEqual(expect.arrayContaining(["bench", "config:sync", "plan", "plan:diff"]));
    expect(used.filter((name) => packageScripts[name] === undefined)).toEqual([]);
});

test("every in-page link lands on a heading", () => {
    const anchors = new Set(headings.map(anchor));
    const links = [...new Set([...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]))];
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
});

test("the stack files' pointers into README.md name headings that exist", () => {
    const pointers = fs
        .readdirSync(PROJECT_DIR)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .flatMap((file) => {
            const comments = fs
                .readFileSync(path.join(PROJECT_DIR, file), "utf8")
                .split("\n")
                .filter((l) => l.startsWith("#"))
                .map((l) => l.replace(/^#\s?/, ""))
                .join(" ");
            return [...comments.matchAll(/[Ss]ee "([^"]+)" in\s+README\.md/g)].map((m) => ({ file, heading: m[1] }));
        });
    expect(pointers.map((p) => p.file).sort()).toEqual(["Pulumi.local.yaml", "Pulumi.poc.yaml"]);
    for (const pointer of pointers) {
        expect({ ...pointer, exists: headings.includes(pointer.heading) }).toEqual({ ...pointer, exists: true });
    }
});

test("every file of the project it names exists", () => {
    const named = [...new Set([...readme.matchAll(/`((?:components|lib|scripts|test|policy|contract|examples)\/[\w./-]+\.(?:ts|json|yaml|mjs))`/g)].map((m) => m[1]))];
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((file) => !fs.existsSync(path.join(PROJECT_DIR, file)))).toEqual([]);
});

test("points at no tool or script that is gone", () => {
    for (const stale of ["install-helm", "chart-tools.sh", "port-forward svc/flyte"]) {
        expect({ stale, found: readme.includes(stale) }).toEqual({ stale, found: false });
    }
});

describe("port-forwarding comes from the stack's output, for every flavor and namespace", () => {
    test.each([
        ["dev", "kubectl --namespace flyte port-forward service/flyte-binary-lb 8088:8088 8089:8089"],
        ["prod", "kubectl --namespace flyte port-forward service/flyte-core-lb 8088:8088 8089:8089"],
        ["poc", "kubectl --namespace 103020-flytepoc-dev port-forward service/flyte-core-lb 8088:8088 8089:8089"],
        ["local", "kubectl --namespace flyte port-forward service/flyte-binary-nodeport 8088:8088 8089:8089"],
    ])("%s: %s", async (stack, command) => {
        expect((await sharedPlan(stack)).outputs.portForwardCommand).toBe(command);
    });

    test("README runs the output and quotes the examples as the stacks plan them", async () => {
        expect(readme).toContain("$(pulumi stack output portForwardCommand)");
        expect(readme).toContain(`\`${String((await sharedPlan("dev")).outputs.portForwardCommand)}\``);
        expect(readme).toMatch(/`flyte-core-lb` in\s+`103020-flytepoc-dev` for the poc stack/);
    });
});

test("documents PULUMI_CONFIG_PASSPHRASE wherever a passphrase backend is logged into", () => {
    for (const block of codeBlocks.filter((b) => b.body.includes("pulumi login --local"))) {
        expect(block.body).toContain("PULUMI_CONFIG_PASSPHRASE");
    }
});
