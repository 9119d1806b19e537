import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseStackConfig } from "../components/config/parse";
import { CONFIG_KEYS, PROVIDER_KEYS } from "../components/config/schema";
import {
    COMMON_OUTPUTS,
    DASHBOARD_OUTPUTS,
    ISOLATION_OUTPUTS,
    LOCAL_OUTPUTS,
    SHARED_WORKER_OUTPUTS,
} from "../components/outputs";
import { readProjectFile, readStackConfig } from "../lib/plan/stackFile";
import { PROJECT_DIR } from "./helpers/plan";

const project = readProjectFile(PROJECT_DIR);
const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const stackFiles = fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

/** Every stack output of any target. */
function contractOutputs(): string[] {
    return [...COMMON_OUTPUTS, ...SHARED_WORKER_OUTPUTS, ...ISOLATION_OUTPUTS, ...LOCAL_OUTPUTS, ...DASHBOARD_OUTPUTS].sort();
}

describe("Pulumi.yaml declares exactly the config contract", () => {
    test("the same keys", () => {
        expect(Object.keys(project.config).sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
    });

    test.each(Object.entries(CONFIG_KEYS))("%s: type, default and description", (key, spec) => {
        const declared = project.config[key];
        expect(declared.type).toBe(spec.type);
        expect(declared.description).toBe(spec.description);
        if ("default" in spec) {
            expect(declared.default).toEqual(spec.default);
        } else {
            expect(declared).not.toHaveProperty("default");
        }
        if (spec.type === "array") {
            expect(declared.items).toEqual({ type: "string" });
        }
    });
});

describe("README documents the contract", () => {
    test.each(Object.entries(CONFIG_KEYS))("config key %s with its type and default", (key, spec) => {
        const row = readme.split("\n").find((line) => line.startsWith(`| \`${key}\` |`));
        expect(row).toBeDefined();
        expect(row).toContain(`| ${spec.type} |`);
        if ("default" in spec) {
            const shown = Array.isArray(spec.default)
                ? JSON.stringify(spec.default)
                : spec.default === ""
                  ? '""'
                  : String(spec.default);
            expect(row).toContain(`\`${shown}\``);
        } else {
            expect(row).toContain("(required)");
        }
    });

    test.each(Object.keys(PROVIDER_KEYS))("provider key %s", (key) => {
        expect(readme).toContain(`| \`${key}\` |`);
    });

    test("every stack output, and nothing that is not one", () => {
        const section = readme.slice(readme.indexOf("## Outputs contract"), readme.indexOf("## How it is verified"));
        const documented = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]).sort();
        expect(documented).toEqual(contractOutputs());
    });

    test("opens with the two set-up commands, then the offline plan, then pulumi up", () => {
        // Command lines in code blocks, in reading order.
        const order = ["npm ci", "npm test", "npm run plan -- --stack dev", "pulumi up"].map((c) =>
            readme.search(new RegExp(`^${c.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}$`, "m")),
        );
        expect(order.every((i) => i >= 0)).toBe(true);
        expect([...order].sort((a, b) => a - b)).toEqual(order);
    });
});

describe.each(stackFiles)("%s", (file) => {
    const stack = file.replace(/^Pulumi\.|\.yaml$/g, "");
    const raw = parse(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8")) as { config: Record<string, unknown> };

    test("uses only known keys", () => {
        for (const key of Object.keys(raw.config)) {
            const [namespace, name] = key.split(":");
            if (namespace === project.name) {
                expect(Object.keys(CONFIG_KEYS)).toContain(name);
            } else {
                expect(Object.keys(PROVIDER_KEYS)).toContain(key);
            }
        }
    });

    test("is valid config", () => {
        const { config } = readStackConfig(path.join(PROJECT_DIR, file), project);
        expect(() => parseStackConfig(config, { pulumiProject: project.name, stack })).not.toThrow();
    });
});

test("the shipped stacks include dev and prod", () => {
    expect(stackFiles).toEqual(expect.arrayContaining(["Pulumi.dev.yaml", "Pulumi.prod.yaml"]));
});
