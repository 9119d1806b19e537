/**
 * Checks on the stack's keys as a whole, before any value is read: unknown keys, encrypted values where no secret
 * belongs, and keys of a target other than the chosen one. Each throws one ConfigError naming the culprit.
 */
import { ConfigError, ENCRYPTED_VALUE } from "./errors";
import { AWS_PROVIDER_CONFIG_KEYS, GCP_PROVIDER_CONFIG_KEYS, PROVIDER_SDK_VERSIONS } from "./providerKeys";
import type { RawConfig } from "./reader";
import { Cloud } from "../contract/config";
import { CONFIG_KEYS, KeySpec, PROVIDER_KEYS, PROVIDER_NAMESPACES, ProviderNamespace } from "./schema";
import { closest, didYouMean } from "./suggest";

type Schema = Readonly<Record<string, KeySpec>>;

/** Longest message the target check writes; it lists fewer keys to stay within it. */
export const MAX_MESSAGE_LENGTH = 200;

const PROVIDER_CONFIG_KEYS: Readonly<Record<ProviderNamespace, readonly string[]>> = {
    gcp: GCP_PROVIDER_CONFIG_KEYS,
    aws: AWS_PROVIDER_CONFIG_KEYS,
};

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    return i < 0 ? ["", fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

function isProviderNamespace(namespace: string): namespace is ProviderNamespace {
    return Object.prototype.hasOwnProperty.call(PROVIDER_NAMESPACES, namespace);
}

function has(schema: Schema, name: string): boolean {
    return Object.prototype.hasOwnProperty.call(schema, name);
}

/**
 * Keys in our namespace that the schema does not declare, and keys in the gcp and aws namespaces that neither this
 * program nor the provider reads (the providers' own lists come from their SDKs: components/config/providerKeys.ts).
 * The first in sort order is reported, with the closest known keys.
 */
export function checkKnownKeys(raw: RawConfig, namespace: string, secretKeys: readonly string[] = [], schema: Schema = CONFIG_KEYS): void {
    const known: Record<string, readonly string[]> = { ...PROVIDER_CONFIG_KEYS, [namespace]: Object.keys(schema) };
    for (const key of Object.keys(raw).sort()) {
        const [ns, name] = splitKey(key);
        const names = Object.prototype.hasOwnProperty.call(known, ns) ? known[ns] : undefined;
        if (names === undefined || names.includes(name)) {
            continue;
        }
        // A name that is right but in the wrong namespace (flyte:region, gcp:gkeMachineType) beats a near miss.
        const near = closest(name, names).map((n) => `${ns}:${n}`);
        const elsewhere = Object.entries(known)
            .filter(([other]) => other !== ns)
            .flatMap(([other, otherNames]) => otherNames.filter((n) => n.toLowerCase() === name.toLowerCase()).map((n) => `${other}:${n}`));
        const exactCase = near.length > 0 && near[0].toLowerCase() === key.toLowerCase();
        const suggestions = exactCase || elsewhere.length === 0 ? near : elsewhere;
        const hint =
            suggestions.length > 0
                ? didYouMean(suggestions)
                : isProviderNamespace(ns)
                  ? `neither this program nor the ${ns} provider (@pulumi/${ns} ${PROVIDER_SDK_VERSIONS[ns]}) reads it`
                  : "the keys of this program are declared in Pulumi.yaml";
        throw new ConfigError(key, secretKeys.includes(key) ? ENCRYPTED_VALUE : raw[key], `unknown key; ${hint}`);
    }
}

/**
 * Encrypted values (`pulumi config set --secret`) only on keys declared `secret: true`. The provider keys this
 * program reads are not secrets either; any other provider key (gcp:credentials, aws:secretKey) is the provider's.
 */
export function checkEncryptedKeys(secretKeys: readonly string[], namespace: string, schema: Schema = CONFIG_KEYS): void {
    for (const key of [...secretKeys].sort()) {
        const [ns, name] = splitKey(key);
        const readByUs = ns === namespace ? has(schema, name) && schema[name].secret !== true : Object.prototype.hasOwnProperty.call(PROVIDER_KEYS, key);
        if (readByUs) {
            throw new ConfigError(key, ENCRYPTED_VALUE, `not a secret key: set it in plain text with \`pulumi config set ${key} <value>\` (without --secret)`);
        }
    }
}

/** Whether a value as the runtime passes it equals the key's default (a list as JSON, a number in any spelling). */
export function isDefaultValue(spec: KeySpec, text: string): boolean {
    switch (spec.type) {
        case "string":
            return text === spec.default;
        case "integer":
            return /^-?\d+$/.test(text) && Number(text) === spec.default;
        case "boolean":
            return text === String(spec.default);
        case "array": {
            let parsed: unknown;
            try {
                parsed = JSON.parse(text);
            } catch {
                return false;
            }
            return (
                Array.isArray(parsed) && parsed.length === spec.default.length && parsed.every((item, i) => item === spec.default[i])
            );
        }
    }
}

interface ForeignKey {
    readonly key: string;
    readonly targets: readonly Cloud[];
}

/**
 * Keys of another target than `cloud`: every gcp: key on a stack that is not gcp, every aws: key on one that is not
 * aws, and our keys whose schema targets do not include `cloud`.
 *
 * The Pulumi CLI passes the project defaults of Pulumi.yaml (`default:`) to the program as config, so a stack that
 * never names gkeMachineType still hands us `flyte:gkeMachineType = e2-standard-4`. Such a value cannot be told from
 * one the stack sets, so a key of another target counts as set only when it differs from its default; the schema's
 * defaults are Pulumi.yaml's (test/contracts/config.test.ts), and Pulumi.yaml sets no provider keys.
 */
export function checkTargets(raw: RawConfig, namespace: string, cloud: Cloud, schema: Schema = CONFIG_KEYS): void {
    const foreign: ForeignKey[] = [];
    for (const key of Object.keys(raw)) {
        const [ns, name] = splitKey(key);
        if (ns === namespace && has(schema, name)) {
            const spec = schema[name];
            if (!spec.targets.includes(cloud) && !isDefaultValue(spec, raw[key])) {
                foreign.push({ key, targets: spec.targets });
            }
        } else if (isProviderNamespace(ns) && PROVIDER_NAMESPACES[ns] !== cloud) {
            foreign.push({ key, targets: [PROVIDER_NAMESPACES[ns]] });
        }
    }
    if (foreign.length === 0) {
        return;
    }
    const cloudKey = `${namespace}:cloud`;
    const cloudSpec = has(schema, "cloud") ? schema.cloud : undefined;
    const isDefault = raw[cloudKey] === undefined || (cloudSpec !== undefined && isDefaultValue(cloudSpec, raw[cloudKey]));
    throw new ConfigError(cloudKey, cloud, foreignKeysMessage(foreign, cloudKey, isDefault), isDefault ? "the default" : undefined);
}

function foreignKeysMessage(foreign: readonly ForeignKey[], cloudKey: string, isDefault: boolean): string {
    // Provider keys first (the surest sign of the intended target), then ours; grouped by the targets they belong to.
    const rank = (key: string) => (isProviderNamespace(splitKey(key)[0]) ? 0 : 1);
    const sorted = [...foreign].sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
    const byTargets = new Map<string, { targets: readonly Cloud[]; keys: string[] }>();
    for (const { key, targets } of sorted) {
        const id = targets.join(" or ");
        byTargets.set(id, { targets, keys: [...(byTargets.get(id)?.keys ?? []), key] });
    }
    const groups = [...byTargets.values()];
    const common = groups.reduce<readonly Cloud[]>((acc, g) => acc.filter((t) => g.targets.includes(t)), groups[0].targets);
    const them = foreign.length === 1 ? "it" : "them";
    const advice =
        common.length === 0
            ? "remove the keys of the other clouds"
            : common.length === 1
              ? `set ${cloudKey}: ${common[0]} or remove ${them}`
              : `set ${cloudKey} to ${common.join(" or ")}, or remove ${them}`;
    /** The first `shownGroups` groups with at most `limit` keys each; the rest counted. */
    const render = (shownGroups: number, limit: number) => {
        const parts = groups.slice(0, shownGroups).map(({ targets, keys }, i) => {
            const listed = keys.length <= limit ? keys.join(", ") : `${keys.slice(0, limit).join(", ")} and ${keys.length - limit} more`;
            const verb = i > 0 ? "" : keys.length === 1 ? "belongs " : "belong ";
            return `${listed} ${verb}to cloud ${targets.join(" or ")}`;
        });
        const rest = groups.slice(shownGroups).reduce((n, g) => n + g.keys.length, 0);
        return `${parts.join(", ")}${rest > 0 ? `, ${rest} more to other clouds` : ""}; ${advice}`;
    };
    // The message opens with `invalid config <cloudKey> = "<cloud>" (the default): `; list fewer keys until it fits.
    const budget = MAX_MESSAGE_LENGTH - `invalid config ${cloudKey} = "local"${isDefault ? " (the default)" : ""}: `.length;
    for (let shownGroups = groups.length; shownGroups > 1; shownGroups--) {
        for (let limit = foreign.length; limit >= 1; limit--) {
            if (render(shownGroups, limit).length <= budget) {
                return render(shownGroups, limit);
            }
        }
    }
    let limit = foreign.length;
    while (limit > 1 && render(1, limit).length > budget) {
        limit--;
    }
    return render(1, limit);
}
