import * as pulumi from "@pulumi/pulumi";

/**
 * Values as they cross the resource monitor: plain JSON with Pulumi's sentinel objects for secrets, unknowns,
 * resource references and assets. Two views of them: what a reader of the plan sees, and what the mocks compute from.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const SECRET_PLACEHOLDER = "[secret]";
export const UNKNOWN_PLACEHOLDER = "[unknown]";

const rt = pulumi.runtime;

function signature(value: { [key: string]: Json }): Json | undefined {
    return value[rt.specialSigKey];
}

function mapWire(value: Json, onSecret: (inner: Json) => Json): Json {
    if (value === rt.unknownValue) {
        return UNKNOWN_PLACEHOLDER;
    }
    if (Array.isArray(value)) {
        return value.map((v) => mapWire(v, onSecret));
    }
    if (value !== null && typeof value === "object") {
        const sig = signature(value);
        if (sig === rt.specialSecretSig) {
            return onSecret(value.value ?? null);
        }
        if (sig === rt.specialResourceSig) {
            return value.urn ?? null;
        }
        if (sig === rt.specialOutputValueSig) {
            const inner = value.value === undefined ? UNKNOWN_PLACEHOLDER : mapWire(value.value, onSecret);
            return value.secret === true ? onSecret(inner) : inner;
        }
        if (sig === rt.specialAssetSig || sig === rt.specialArchiveSig) {
            return "[asset]";
        }
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, mapWire(value[k], onSecret)]),
        );
    }
    return value;
}

/** For display: every secret becomes "[secret]", whatever it contains. Keys are sorted for stable output. */
export function redactWire(value: Json): Json {
    return mapWire(value, () => SECRET_PLACEHOLDER);
}

/** For the mocks: secrets unwrapped, so computed outputs can be derived from inputs. Never printed. */
export function revealWire(value: Json): Json {
    return mapWire(value, (inner) => revealWire(inner));
}

/** A value as a secret on the wire, as the engine sends a secret output. */
export function wireSecret(value: Json): Json {
    return { [rt.specialSigKey]: rt.specialSecretSig, value };
}

/** Whether a wire value is or holds a secret anywhere within (the engine's HasSecrets). */
export function containsSecret(value: Json): boolean {
    let found = false;
    mapWire(value, (inner) => {
        found = true;
        return inner;
    });
    return found;
}
