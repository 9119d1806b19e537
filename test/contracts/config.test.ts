import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import * as os from "os";
import { ConfigError } from "../../components/config/errors";
import { parseStackConfig } from "../../components/config/parse";
import { AWS_PROVIDER_CONFIG_KEYS, GCP_PROVIDER_CONFIG_KEYS, PROVIDER_SDK_VERSIONS } from "../../components/config/providerKeys";
import { CONFIG_KEYS, describeKey, describeProviderKey, KeySpec, PROVIDER_KEYS, ProviderKey } from "../../components/config/schema";
import { projectFileWithConfig, readmeWithConfigTables } from "../../scripts/configDocs";
import { PROVIDER_KEYS_MODULE, renderProviderKeysModule, sdkConfigKeys } from "../../scripts/providerConfigKeys";
import { ALL_OUTPUTS } from "../../components/contract/outputs";
import { readProjectFile, readStackConfig } from "../../lib/plan/stackFile";
import { PROJECT_DIR } from "../helpers/plan";

const project = readProjectFile(PROJECT_DIR);
const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const stackFiles = fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

/** Every stack output of any target. */
function contractOutputs(): string[] {
    return [...ALL_OUTPUTS].sort();
}

describe("Pulumi.yaml declares exactly the config contract", () => {
    test("the same keys", () => {
        expect(Object.keys(project.config).sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
    });

    test.each(Object.entries(CONFIG_KEYS))("%s: type, default and description", (key, spec) => {
        const declared = project.config[key];
        expect(declared.type).toBe(spec.type);
        expect(declared.description).toBe(describeKey(key, spec));
        if ("default" in spec) {
            expect(declared.default).toEqual(spec.default);
        } else {
            expect(declared).not.toHaveProperty("default");
        }
        if (spec.type === "array") {
            expect(declared.items).toEqual({ type: "string" });
        }
        // Pulumi.yaml's `secret: true` makes the CLI require an encrypted value; the schema's lets us accept one.
        expect(declared.secret).toBe((spec as KeySpec).secret);
    });
});

describe("the provider keys are the installed SDKs' (npm run config:sync regenerates them)", () => {
    const sdks = { gcp: sdkConfigKeys(PROJECT_DIR, "gcp"), aws: sdkConfigKeys(PROJECT_DIR, "aws") };

    test("every config key each provider declares, from the SDK version installed", () => {
        expect(GCP_PROVIDER_CONFIG_KEYS).toEqual(sdks.gcp.keys);
        expect(AWS_PROVIDER_CONFIG_KEYS).toEqual(sdks.aws.keys);
        expect(PROVIDER_SDK_VERSIONS).toEqual({ gcp: sdks.gcp.version, aws: sdks.aws.version });
        // The SDKs declare many more than the few this program reads.
        expect(GCP_PROVIDER_CONFIG_KEYS.length).toBeGreaterThan(100);
        expect(AWS_PROVIDER_CONFIG_KEYS).toEqual(expect.arrayContaining(["region", "profile", "assumeRoles", "defaultTags", "secretKey"]));
    });

    test(`${PROVIDER_KEYS_MODULE} is exactly what config:sync writes`, () => {
        const text = fs.readFileSync(path.join(PROJECT_DIR, PROVIDER_KEYS_MODULE), "utf8");
        const date = /SDKs on (\d{4}-\d{2}-\d{2})\./.exec(text)?.[1] ?? "";
        expect(text).toBe(renderProviderKeysModule(sdks, date));
    });

    test("the provider keys this program reads are keys the providers read too", () => {
        for (const key of Object.keys(PROVIDER_KEYS)) {
            const [provider, name] = key.split(":");
            expect(provider === "gcp" ? GCP_PROVIDER_CONFIG_KEYS : AWS_PROVIDER_CONFIG_KEYS).toContain(name);
        }
    });
});

describe("Pulumi.yaml's defaults, which the CLI passes to every stack", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-contract-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function parseStackFile(lines: readonly string[]) {
        const file = path.join(dir, "Pulumi.scratch.yaml");
        fs.writeFileSync(file, ["config:", ...lines.map((l) => `  ${l}`), ""].join("\n"));
        const { config } = readStackConfig(file, project);
        return parseStackConfig(config, { pulumiProject: project.name, stack: "scratch" });
    }

    test.each([
        ["gcp", ["flyte:cloud: gcp", "gcp:project: acme-flyte-dev", "gcp:region: europe-west1"]],
        ["aws", ["flyte:cloud: aws", "aws:region: eu-central-1"]],
        ["local", ["flyte:cloud: local"]],
        ["local", []],
    ] as const)("are no keys of another target: a minimal %s stack is valid", (cloud, lines) => {
        expect(parseStackFile(lines).cloud).toBe(cloud);
    });

    test("a stack that sets gcp keys and forgets flyte:cloud is rejected, not planned as local", () => {
        let err: unknown;
        try {
            parseStackFile(["gcp:project: acme-flyte-dev", "gcp:region: europe-west1"]);
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).message).toBe(
            'invalid config flyte:cloud = "local" (the default): gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
        );
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

    test.each(Object.keys(PROVIDER_KEYS) as ProviderKey[])("provider key %s", (key) => {
        expect(readme).toContain(`| \`${key}\` | ${describeProviderKey(key, "description")} |`);
    });

    test("both tables, and Pulumi.yaml's config block, are exactly what npm run config:sync writes", () => {
        expect(readmeWithConfigTables(readme)).toBe(readme);
        const file = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");
        expect(projectFileWithConfig(file)).toBe(file);
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
