import { parseCidr } from "../shared/cidr";
import { DNS1123_LABEL_MAX, isDns1123Label } from "../shared/namespaces";
import { ConfigError, SECRET_VALUE } from "./errors";
import { REGIONS_AS_OF } from "./regions";
import { ConfigKey, KeySpec } from "./schema";
import { closest, didYouMean } from "./suggest";
import { OFFLINE_SECRET_PLACEHOLDER } from "../shared/offlinePlan";

/** Config as the Pulumi runtime hands it over: full keys (`ns:key`) to strings; lists arrive as JSON. */
export type RawConfig = Readonly<Record<string, string>>;

export interface ConfigContext {
    /** The Pulumi project name, which is also the config namespace of our keys. */
    readonly pulumiProject: string;
    readonly stack: string;
    /** Full keys whose values are encrypted in the stack file (`pulumi config set --secret`). */
    readonly secretKeys?: readonly string[];
}

export const DNS_LABEL_RULE = `lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${DNS1123_LABEL_MAX} characters (DNS-1123 label)`;

/** Typed access to our namespace's keys, as the schema declares them, failing with a one-line ConfigError. */
export class ConfigReader<K extends string = ConfigKey> {
    private readonly encrypted: ReadonlySet<string>;

    constructor(
        private readonly raw: RawConfig,
        readonly namespace: string,
        private readonly schema: Readonly<Record<K, KeySpec>>,
        secretKeys: readonly string[] = [],
    ) {
        this.encrypted = new Set(secretKeys);
    }

    fullKey(key: K): string {
        return `${this.namespace}:${key}`;
    }

    fail(key: K, value: unknown, allowed: string): never {
        throw new ConfigError(this.fullKey(key), value, allowed);
    }

    private value(key: K): string | undefined {
        return this.raw[this.fullKey(key)];
    }

    string(key: K, allowed: string): string {
        const spec = this.schema[key];
        const value = this.value(key) ?? ("default" in spec ? spec.default : undefined);
        if (typeof value !== "string") {
            return this.fail(key, value, `required; allowed: ${allowed}`);
        }
        return value;
    }

    oneOf<T extends string>(key: K, allowed: readonly T[]): T {
        const value = this.string(key, allowed.join(", "));
        if (!(allowed as readonly string[]).includes(value)) {
            return this.fail(key, value, `allowed: ${allowed.join(", ")}`);
        }
        return value as T;
    }

    matching(key: K, pattern: RegExp, allowed: string): string {
        const value = this.string(key, allowed);
        if (!pattern.test(value)) {
            return this.fail(key, value, `allowed: ${allowed}`);
        }
        return value;
    }

    /**
     * A key declared `secret: true`. Offline, an encrypted value is the placeholder, which is passed on unchecked; a
     * real run gets and checks the decrypted value. Messages never show it.
     */
    secret(key: K, pattern: RegExp, allowed: string): string {
        if (this.schema[key].secret !== true) {
            throw new Error(`${key} is not declared secret`);
        }
        const value = this.string(key, allowed);
        if (value === OFFLINE_SECRET_PLACEHOLDER && this.encrypted.has(this.fullKey(key))) {
            return value;
        }
        if (!pattern.test(value)) {
            return this.fail(key, SECRET_VALUE, `allowed: ${allowed}`);
        }
        return value;
    }

    integer(key: K, min: number, max: number): number {
        const spec = this.schema[key];
        const text = this.value(key);
        const allowed = `a whole number from ${min} to ${max}`;
        if (text === undefined) {
            if (spec.type !== "integer") {
                throw new Error(`${key} is not an integer key`);
            }
            return spec.default;
        }
        const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(value) || value < min || value > max) {
            return this.fail(key, text, `allowed: ${allowed}`);
        }
        return value;
    }

    boolean(key: K): boolean {
        const spec = this.schema[key];
        const text = this.value(key);
        if (text === undefined) {
            if (spec.type !== "boolean") {
                throw new Error(`${key} is not a boolean key`);
            }
            return spec.default;
        }
        if (text !== "true" && text !== "false") {
            return this.fail(key, text, "allowed: true, false");
        }
        return text === "true";
    }

    /** A YAML list of strings in the stack file (the runtime passes it as JSON). */
    list(key: K, itemRule: string): string[] {
        const spec = this.schema[key];
        const text = this.value(key);
        if (text === undefined) {
            if (spec.type !== "array") {
                throw new Error(`${key} is not an array key`);
            }
            return [...spec.default];
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === "string")) {
            return this.fail(key, text, `allowed: a YAML list of strings, each ${itemRule}`);
        }
        return parsed;
    }

    rawValue(fullKey: string): string | undefined {
        return this.raw[fullKey];
    }
}

export function requireDnsLabels(config: ConfigReader, key: ConfigKey, values: readonly string[]): void {
    if (values.length === 0) {
        config.fail(key, values, `allowed: a non-empty list, each ${DNS_LABEL_RULE}`);
    }
    for (const value of values) {
        if (!isDns1123Label(value)) {
            config.fail(key, value, `allowed: ${DNS_LABEL_RULE}`);
        }
    }
    const duplicate = values.find((v, i) => values.indexOf(v) !== i);
    if (duplicate !== undefined) {
        config.fail(key, duplicate, "each entry may appear only once");
    }
}

export function requireProviderKey(config: ConfigReader, key: string, pattern: RegExp, allowed: string): string {
    const value = config.rawValue(key);
    if (value === undefined || !pattern.test(value)) {
        throw new ConfigError(key, value, `${value === undefined ? "required; " : ""}allowed: ${allowed}`);
    }
    return value;
}

/**
 * A provider's region key (gcp:region, aws:region): set, shaped like a region, and one of `known`
 * (components/config/regions.ts), else a message naming the closest known regions.
 */
export function requireRegion(
    config: ConfigReader,
    key: string,
    /** "GCP" or "AWS". */
    cloud: string,
    known: readonly string[],
    shape: RegExp,
    example: string,
): string {
    const value = config.rawValue(key);
    if (value !== undefined && known.includes(value)) {
        return value;
    }
    // A zone given for its region (europe-west1-b, eu-central-1a) names that region; otherwise the nearest ones.
    const within = value === undefined ? [] : known.filter((r) => value.startsWith(r)).sort((a, b) => b.length - a.length);
    const suggestion = value === undefined ? "" : didYouMean(within.length > 0 ? [within[0]] : closest(value, known));
    if (value === undefined || !shape.test(value)) {
        const article = /^[AEIOU]/.test(cloud) ? "an" : "a";
        const allowed = `${value === undefined ? "required; " : ""}allowed: ${article} ${cloud} region such as ${example}`;
        throw new ConfigError(key, value, suggestion === "" ? allowed : `${allowed}; ${suggestion}`);
    }
    const list = `regions known on ${REGIONS_AS_OF}: add new ones to components/config/regions.ts`;
    throw new ConfigError(
        key,
        value,
        suggestion === "" ? `unknown ${cloud} region (${list}); allowed: a region such as ${example}` : `unknown ${cloud} region; ${suggestion} (${list})`,
    );
}

export function parseCidrKey(config: ConfigReader, key: ConfigKey, minPrefix: number, maxPrefix: number) {
    const text = config.string(key, "an IPv4 CIDR");
    const cidr = parseCidr(text);
    if (!cidr || cidr.prefixLength < minPrefix || cidr.prefixLength > maxPrefix) {
        config.fail(
            key,
            text,
            `allowed: an IPv4 CIDR a.b.c.d/n with n from ${minPrefix} to ${maxPrefix}, the address being the first of its range`,
        );
    }
    return { text, cidr };
}

/**
 * An image reference as Docker parses it: an optional registry (with a port, e.g. a kind registry on
 * localhost:5001), a lowercase path, and a tag and/or a digest.
 */
export const IMAGE_REFERENCE =
    /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
