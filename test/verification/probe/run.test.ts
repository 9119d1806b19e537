// The probe as the pod runs it: Node's own type stripping, ESM, no npm packages. The pod runs the .ts files on Node 24
// (`node run.ts`); Node 20, which runs these tests, cannot load .ts, so every probe file is stripped here with amaro
// (the implementation Node's type stripping uses, in its strip-only mode) into a temp dir as .mjs, with the sibling
// imports' `.ts` rewritten to `.mjs`. A file that is not erasable TypeScript, or imports a type without `import type`
// (ESM linking would fail: the export does not exist at run time), or imports an npm package, fails here.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const PROBE_DIR = path.join(__dirname, "../../../verification/probe");

let dir: string;

beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-run-"));
    const amaro = require("amaro") as { transformSync(code: string, options: { mode: "strip-only" }): { code: string } };
    for (const file of fs.readdirSync(PROBE_DIR).filter((name) => name.endsWith(".ts"))) {
        const source = fs.readFileSync(path.join(PROBE_DIR, file), "utf8");
        const stripped = amaro.transformSync(source, { mode: "strip-only" }).code;
        const rewritten = stripped.replace(/(from\s+["']\.\/[^"']+)\.ts(["'])/g, "$1.mjs$2");
        fs.writeFileSync(path.join(dir, file.replace(/\.ts$/, ".mjs")), rewritten);
    }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("node run.mjs: a failing endpoint stage exits 1 with one line on stderr and in the termination message", async () => {
    const terminationFile = path.join(dir, "termination-log");
    // A Service whose name does not resolve (no cluster here), and a wait of one second.
    const config = {
        stage: "endpoint",
        stack: "ci",
        waitSeconds: 1,
        service: { namespace: "verification-test", name: "no-such-service", httpPort: 8088, grpcPort: 8089 },
        projects: ["flytesnacks"],
        taskNamespace: { name: "flytesnacks-development", serviceAccount: "default" },
        signedUpload: { project: "flytesnacks", domain: "development" },
    };
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
            process.execPath,
            ["run.mjs"],
            { cwd: dir, timeout: 30_000, env: { PATH: process.env.PATH, VERIFY_CONFIG: JSON.stringify(config), VERIFY_TERMINATION_MESSAGE_FILE: terminationFile } },
            (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
    });
    expect(result.stdout).toBe("");
    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    // The resolver normally answers at once (ENOTFOUND); a slow one makes the request time out instead.
    expect(lines[0]).toMatch(
        new RegExp(
            "^stack ci: flyteadmin's HTTP health check GET /healthcheck on the Service verification-test/no-such-service port 8088 got no answer for 1 s " +
                "\\((the name does not resolve\\): the Service verification-test/no-such-service does not exist \\(its name does not resolve\\)|" +
                "no answer within 1 s\\): nothing answers behind the Service verification-test/no-such-service: .*)$",
        ),
    );
    expect(fs.readFileSync(terminationFile, "utf8")).toBe(lines[0]);
});
