/**
 * npm run config:sync
 *
 * Rewrites the `config:` block of Pulumi.yaml and the config table in README.md from the config contract in
 * components/config/schema.ts, and components/config/providerKeys.ts from the installed provider SDKs.
 * test/configContract.test.ts fails when they drift apart.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { CONFIG_KEYS, KeySpec } from "../components/config/schema";
import { PROVIDER_KEYS_MODULE, syncProviderKeysModule } from "./providerConfigKeys";

const root = path.resolve(__dirname, "..");

function projectConfigBlock(): string {
    const config: Record<string, Record<string, unknown>> = {};
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as [string, KeySpec][]) {
        config[key] = {
            type: spec.type,
            ...(spec.type === "array" ? { items: { type: "string" } } : {}),
            description: spec.description,
            ...(spec.secret ? { secret: true } : {}),
            ...("default" in spec ? { default: spec.default } : {}),
        };
    }
    return stringify({ config }, { lineWidth: 0 });
}

function shownDefault(spec: KeySpec): string {
    if (!("default" in spec) || spec.default === undefined) {
        return "(required)";
    }
    if (spec.type === "array") {
        return `\`${JSON.stringify(spec.default)}\``;
    }
    return spec.default === "" ? '`""`' : `\`${String(spec.default)}\``;
}

function readmeTable(): string {
    return (Object.entries(CONFIG_KEYS) as [string, KeySpec][])
        .map(([key, spec]) => `| \`${key}\` | ${spec.type} | ${shownDefault(spec)} | ${spec.description.replace(/\|/g, "\\|")} |`)
        .join("\n");
}

const pulumiYaml = path.join(root, "Pulumi.yaml");
const project = fs.readFileSync(pulumiYaml, "utf8");
fs.writeFileSync(pulumiYaml, project.slice(0, project.indexOf("\nconfig:\n") + 1) + projectConfigBlock());

const readmePath = path.join(root, "README.md");
const readme = fs.readFileSync(readmePath, "utf8");
const start = readme.indexOf("| `cloud` |");
const end = readme.indexOf("\n\n", start);
fs.writeFileSync(readmePath, readme.slice(0, start) + readmeTable() + readme.slice(end));
process.stdout.write("Pulumi.yaml and README.md now match components/config/schema.ts\n");
if (syncProviderKeysModule(root, new Date().toISOString().slice(0, 10))) {
    process.stdout.write(`${PROVIDER_KEYS_MODULE} now matches the installed provider SDKs\n`);
}
