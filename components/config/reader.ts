import { parseCidr } from "../shared/cidr";
import { isDns1123Label } from "../shared/namespaces";
import { ConfigError, SECRET_VALUE } from "./errors";
import { REGIONS_AS_OF } from "./regions";
import {
    ArrayKeySpec,
    BooleanKeySpec,
    CidrKeySpec,
    ConfigKey,
    ConfigSchema,
    describeProviderKey,
    DNS_LABEL_RULE,
    EnumKeySpec,
    IntegerKeySpec,
    KeySpec,
    PROVIDER_KEYS,
    ProviderKey,
    rangeOf,
    TextKeySpec,
    valuesOf,
} from "./schema";
import { closest, didYouMean } from "./suggest";
import { OFFLINE_SECRET_PLACEHOLDER } from "../shared/offlinePlan";
import type { Cloud } from "../contract/config";

/** Config as the Pulumi runtime hands it over: full keys (`ns:key`) to strings; lists arrive as JSON. */
export type RawConfig = Readonly<Record<string, string>>;

export interface ConfigContext {
    /** The Pulumi project name, which is also the config namespace of our keys. */
    readonly pulumiProject: string;
    readonly stack: string;
    /** Full keys whose values are encrypted in the stack file (`pulumi config set --secret`). */
    readonly secretKeys?: readonly string[];
}

type Schema = Readonly<Record<string, KeySpec>>;
/** The keys of `S` whose entries are of kind `T`. */
type KeysOf<S extends Schema, T extends KeySpec> = { [K in keyof S]: S[K] extends T ? K : never }[keyof S] & string;
/** The values an enum entry allows. */
type ValueOf<E> = E extends { readonly values: infer V } ? keyof V & string : never;

/**
 * Typed access to our namespace's keys, each read as its entry in the schema declares it (type, default, what it
 * allows), failing with a one-line ConfigError. Parsers add only what one entry cannot say.
 */
export class ConfigReader<S extends Schema = ConfigSchema> {
    private readonly encrypted: ReadonlySet<string>;

    constructor(
        private readonly raw: RawConfig,
        readonly namespace: string,
        private readonly schema: S,
        secretKeys: readonly string[] = [],
    ) {
        this.encrypted = new Set(secretKeys);
    }

    fullKey(key: keyof S & string): string {
        return `${this.namespace}:${key}`;
    }

    fail(key: keyof S & string, value: unknown, allowed: string): never {
        throw new ConfigError(this.fullKey(key), value, allowed);
    }

    /** Fails with what the key's entry allows. */
    refuse(key: KeysOf<S, TextKeySpec>, value: unknown): never {
        return this.fail(key, value, `allowed: ${this.spec<TextKeySpec>(key, "string", "allows").allows}`);
    }

    private spec<T extends KeySpec>(key: keyof S & string, type: KeySpec["type"], field?: string): T {
        const spec: KeySpec = this.schema[key];
        if (spec.type !== type || (field !== undefined && !(field in spec))) {
            throw new Error(`${key} is not a ${field === undefined ? type : `${type} key with ${field}`}`);
        }
        return spec as T;
    }

    private value(key: keyof S & string): string | undefined {
        return this.raw[this.fullKey(key)];
    }

    /** The value, or the default; one that does not match the entry's pattern (if any) fails. */
    string(key: KeysOf<S, TextKeySpec>): string {
        const spec = this.spec<TextKeySpec>(key, "string", "allows");
        if (spec.secret === true) {
            throw new Error(`${key} is declared secret: read it with secret()`);
        }
        return this.text(key, spec, false);
    }

    /**
     * A key declared `secret: true`. Offline, an encrypted value is the placeholder, which is passed on unchecked; a
     * real run gets and checks the decrypted value. Messages never show it.
     */
    secret(key: KeysOf<S, TextKeySpec>): string {
        const spec = this.spec<TextKeySpec>(key, "string", "allows");
        if (spec.secret !== true) {
            throw new Error(`${key} is not declared secret`);
        }
        return this.text(key, spec, true);
    }

    private text(key: keyof S & string, spec: TextKeySpec, secret: boolean): string {
        const value = this.value(key) ?? spec.default;
        if (value === undefined) {
            return this.fail(key, value, `required; allowed: ${spec.allows}`);
        }
        if (secret && value === OFFLINE_SECRET_PLACEHOLDER && this.encrypted.has(this.fullKey(key))) {
            return value;
        }
        if (spec.pattern !== undefined && !spec.pattern.test(value)) {
            return this.fail(key, secret ? SECRET_VALUE : value, `allowed: ${spec.allows}`);
        }
        return value;
    }

    oneOf<K extends KeysOf<S, EnumKeySpec>>(key: K): ValueOf<S[K]> {
        const spec = this.spec<EnumKeySpec>(key, "string", "values");
        const allowed = valuesOf(spec);
        const value = this.value(key) ?? spec.default;
        if (!allowed.includes(value)) {
            return this.fail(key, value, `allowed: ${allowed.join(", ")}`);
        }
        return value as ValueOf<S[K]>;
    }

    /** A whole number within the entry's range; on `target` where the range depends on it. */
    integer(key: KeysOf<S, IntegerKeySpec>, target?: Cloud): number {
        const spec = this.spec<IntegerKeySpec>(key, "integer");
        const { min, max } = rangeOf(key, spec, target);
        const text = this.value(key);
        if (text === undefined) {
            return spec.default;
        }
        const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(value) || value < min || value > max) {
            return this.fail(key, text, `allowed: a whole number from ${min} to ${max}`);
        }
        return value;
    }

    boolean(key: KeysOf<S, BooleanKeySpec>): boolean {
        const spec = this.spec<BooleanKeySpec>(key, "boolean");
        const text = this.value(key);
        if (text === undefined) {
            return spec.default;
        }
        if (text !== "true" && text !== "false") {
            return this.fail(key, text, "allowed: true, false");
        }
        return text === "true";
    }

    /** A YAML list of strings in the stack file (the runtime passes it as JSON). */
    list(key: KeysOf<S, ArrayKeySpec>): string[] {
        const spec = this.spec<ArrayKeySpec>(key, "array");
        const text = this.value(key);
        if (text === undefined) {
            return [...spec.default];
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === "string")) {
            return this.fail(key, text, `allowed: a YAML list of strings, each ${spec.items}`);
        }
        return parsed;
    }

    /** An IPv4 range whose prefix length is within the entry's, its address the first of the range. */
    cidr(key: KeysOf<S, CidrKeySpec>) {
        const spec = this.spec<CidrKeySpec>(key, "string", "prefixLength");
        const text = this.value(key) ?? spec.default;
        const cidr = parseCidr(text);
        const { min, max } = spec.prefixLength;
        if (!cidr || cidr.prefixLength < min || cidr.prefixLength > max) {
            return this.fail(key, text, `allowed: an IPv4 CIDR a.b.c.d/n with n from ${min} to ${max}, the address being the first of its range`);
        }
        return { text, cidr };
    }

    /**
     * Whether the stack gives `key` a value other than its default. Pulumi passes Pulumi.yaml's defaults to the
     * program like values the stack sets, so a key at its default counts as not set.
     */
    isSet(key: keyof S & string): boolean {
        const value = this.value(key);
        if (value === undefined) {
            return false;
        }
        const spec: KeySpec = this.schema[key];
        if (spec.type !== "array") {
            return value !== String(spec.default);
        }
        try {
            return JSON.stringify(JSON.parse(value)) !== JSON.stringify(spec.default);
        } catch {
            return true;
        }
    }

    /** Fails on the first of `keys` the stack sets (isSet), saying what it takes for the key to mean something. */
    refuseSetKeys(keys: readonly (keyof S & string)[], needs: string): void {
        for (const key of keys) {
            if (this.isSet(key)) {
                this.fail(key, this.schema[key].secret === true ? SECRET_VALUE : this.value(key), `only with ${needs}`);
            }
        }
    }

    rawValue(fullKey: string): string | undefined {
        return this.raw[fullKey];
    }
}

/** Two integer keys that bound one quantity (autoscaler nodes): the lower must not exceed the upper. */
export function integerBounds(
    config: ConfigReader,
    lowerKey: KeysOf<ConfigSchema, IntegerKeySpec>,
    upperKey: KeysOf<ConfigSchema, IntegerKeySpec>,
): { readonly lower: number; readonly upper: number } {
    const lower = config.integer(lowerKey);
    const upper = config.integer(upperKey);
    if (lower > upper) {
        config.fail(lowerKey, lower, `must not exceed ${upperKey} (${upper})`);
    }
    return { lower, upper };
}

/** Fails on the first item of a list that `valid` refuses. */
export function requireItems(config: ConfigReader, key: ConfigKey, items: readonly string[], valid: (item: string) => boolean, allowed: string): void {
    const invalid = items.find((item) => !valid(item));
    if (invalid !== undefined) {
        config.fail(key, invalid, `allowed: ${allowed}`);
    }
}

/** A list of IPv4 ranges, each address the first of its range. */
export function cidrList(config: ConfigReader, key: KeysOf<ConfigSchema, ArrayKeySpec>): string[] {
    const cidrs = config.list(key);
    requireItems(config, key, cidrs, (cidr) => parseCidr(cidr) !== undefined, "IPv4 CIDRs a.b.c.d/n, the address being the first of its range");
    return cidrs;
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

/** A provider key this program reads (components/config/schema.ts, PROVIDER_KEYS): set, and matching its pattern. */
export function requireProviderKey(config: ConfigReader, key: ProviderKey): string {
    const value = config.rawValue(key);
    if (value === undefined || !PROVIDER_KEYS[key].pattern.test(value)) {
        throw new ConfigError(key, value, `${value === undefined ? "required; " : ""}allowed: ${describeProviderKey(key, "allows")}`);
    }
    return value;
}

/**
 * A provider's region key (gcp:region, aws:region): set, shaped like a region, and one of `known`
 * (components/config/regions.ts), else a message naming the closest known regions.
 */
export function requireRegion(config: ConfigReader, key: "gcp:region" | "aws:region", known: readonly string[]): string {
    const value = config.rawValue(key);
    if (value !== undefined && known.includes(value)) {
        return value;
    }
    // A zone given for its region (europe-west1-b, eu-central-1a) names that region; otherwise the nearest ones.
    const within = value === undefined ? [] : known.filter((r) => value.startsWith(r)).sort((a, b) => b.length - a.length);
    const suggestion = value === undefined ? "" : didYouMean(within.length > 0 ? [within[0]] : closest(value, known));
    if (value === undefined || !PROVIDER_KEYS[key].pattern.test(value)) {
        const allowed = `${value === undefined ? "required; " : ""}allowed: ${describeProviderKey(key, "allows")}`;
        throw new ConfigError(key, value, suggestion === "" ? allowed : `${allowed}; ${suggestion}`);
    }
    const cloud = key.split(":")[0].toUpperCase();
    const list = `regions known on ${REGIONS_AS_OF}: add new ones to components/config/regions.ts`;
    throw new ConfigError(
        key,
        value,
        suggestion === ""
            ? `unknown ${cloud} region (${list}); allowed: a region such as ${PROVIDER_KEYS[key].example}`
            : `unknown ${cloud} region; ${suggestion} (${list})`,
    );
}
