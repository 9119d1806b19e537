/**
 * The config contract's documentation, written out from components/config/schema.ts: `Pulumi.yaml`'s `config:`
 * block and the README's two tables. `npm run config:sync` writes them (scripts/sync-config-docs.ts);
 * test/contracts/config.test.ts checks that the files hold exactly these.
 */
import { stringify } from "yaml";
import { CONFIG_KEYS, describeKey, describeProviderKey, KeySpec, PROVIDER_KEYS, ProviderKey } from "../components/config/schema";

const KEYS = Object.entries(CONFIG_KEYS) as [string, KeySpec][];

/** Pulumi.yaml's `config:` block: each key's type, description, secrecy and default. */
function projectConfigBlock(): string {
    const config: Record<string, Record<string, unknown>> = {};
    for (const [key, spec] of KEYS) {
        config[key] = {
            type: spec.type,
            ...(spec.type === "array" ? { items: { type: "string" } } : {}),
            description: describeKey(key, spec),
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

function cell(text: string): string {
    return text.replace(/\|/g, "\\|");
}

/** The rows of the README's table of our keys (`| Key | Type | Default | Meaning |`). */
function readmeKeyRows(): string {
    return KEYS.map(([key, spec]) => `| \`${key}\` | ${spec.type} | ${shownDefault(spec)} | ${cell(describeKey(key, spec))} |`).join("\n");
}

/** The rows of the README's table of provider keys (`| Key | Meaning |`). */
function readmeProviderRows(): string {
    return (Object.keys(PROVIDER_KEYS) as ProviderKey[]).map((key) => `| \`${key}\` | ${cell(describeProviderKey(key, "description"))} |`).join("\n");
}

/** `text` with the table rows that start with the row of `firstKey` replaced by `rows`. */
function withTableRows(text: string, firstKey: string, rows: string): string {
    const start = text.indexOf(`| \`${firstKey}\` |`);
    if (start < 0) {
        throw new Error(`no table row for ${firstKey}`);
    }
    const end = text.indexOf("\n\n", start);
    return text.slice(0, start) + rows + (end < 0 ? "\n" : text.slice(end));
}

/** The README with both tables written out from the schema. */
export function readmeWithConfigTables(readme: string): string {
    return withTableRows(withTableRows(readme, Object.keys(PROVIDER_KEYS)[0], readmeProviderRows()), Object.keys(CONFIG_KEYS)[0], readmeKeyRows());
}

/** Pulumi.yaml with its `config:` block written out from the schema (the block is the file's last). */
export function projectFileWithConfig(project: string): string {
    return project.slice(0, project.indexOf("\nconfig:\n") + 1) + projectConfigBlock();
}
