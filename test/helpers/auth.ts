import { secretFiles } from "./flyte";
import { findDocs, K8sObject, mountContaining, podVolume } from "./helm";
import { arrayAt, at, isRecord, JsonRecord, stringAt } from "./json";

/**
 * How Flyte's authentication reads what the charts hand it, re-implemented from flyteadmin v1.16.8 (not from this
 * program's code): which public URL flyteadmin picks for a request (and so the audience of the tokens it issues
 * and expects), what a Flyte component calling flyteadmin as a client ends up doing, and the files a container
 * reads from the Secrets mounted into it.
 */

/** Where Flyte's admin clients read their secret unless configured otherwise (flyteidl/clients/go/admin/config.go). */
export const DEFAULT_CLIENT_SECRET_LOCATION = "/etc/secrets/client_secret";
/** Where flyteadmin's secret manager reads named secrets (flytepropeller/.../secretmanager/config.go `secrets-prefix`). */
export const SECRETS_PREFIX = "/etc/secrets";
/** flyteadmin's token endpoint (auth/authzserver/metadata.go). */
const TOKEN_PATH = "/oauth2/token";

/** A URL's parts as Go's net/url gives them: Hostname() and Port() ("" when the URL names none). */
interface GoUrl {
    readonly scheme: string;
    readonly hostname: string;
    readonly port: string;
    readonly text: string;
}

function goUrl(text: string): GoUrl {
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/:?#]*)(?::(\d+))?/i.exec(text);
    if (!match) {
        throw new Error(`${text} is not an absolute URL with a host`);
    }
    return { scheme: match[1].toLowerCase(), hostname: match[2], port: match[3] ?? "", text };
}

/**
 * flyteadmin's GetPublicURL (auth/handler_utils.go): for a request reaching it at `requested` (a URL built as
 * `https://` + the request's host, or the gRPC call's authority), the authorized URI it stands for: the first one
 * with the same host name and scheme; else the last one with the same host name and port; else the last one with
 * the same host name; else the first authorized URI.
 */
export function flytePublicUrl(requested: string | undefined, authorizedUris: readonly string[]): string | undefined {
    if (requested === undefined) {
        return authorizedUris[0];
    }
    const u = goUrl(requested);
    let hostMatching: string | undefined;
    let hostAndPortMatching: string | undefined;
    for (const text of authorizedUris) {
        const authorized = goUrl(text);
        if (u.hostname === authorized.hostname) {
            hostMatching = text;
            if (u.port === authorized.port) {
                hostAndPortMatching = text;
            }
            if (u.scheme === authorized.scheme) {
                return text;
            }
        }
    }
    return hostAndPortMatching ?? hostMatching ?? authorizedUris[0] ?? requested;
}

/** An authority (`host:port`) as flyteadmin turns a gRPC call's into a URL (auth/handler_utils.go URLFromContext). */
export function grpcRequestUrl(authority: string): string {
    return `https://${authority}`;
}

/** A plain HTTP request to `url` as flyteadmin sees it: `https://` + its Host header (Go's client keeps the port). */
export function httpRequestUrl(url: string): string {
    const u = goUrl(url);
    return `https://${u.hostname}${u.port === "" ? "" : `:${u.port}`}`;
}

/** The token endpoint flyteadmin's metadata names for a gRPC call on `authority` (GetOAuth2Metadata, selfAuthServer). */
export function discoveredTokenUrl(authority: string, authorizedUris: readonly string[]): string {
    const base = flytePublicUrl(grpcRequestUrl(authority), authorizedUris);
    if (base === undefined) {
        throw new Error("no public URL");
    }
    // Go's ResolveReference of an absolute path: the base's scheme and host (port kept as written), that path.
    const u = goUrl(base);
    return `${u.scheme}://${u.hostname}${u.port === "" ? "" : `:${u.port}`}${TOKEN_PATH}`;
}

/** What one Flyte component does to call flyteadmin as a client with a secret (flyteidl's admin client, ClientSecret). */
export interface AdminCall {
    /** Its `admin.endpoint`'s authority. */
    readonly authority: string;
    /** The token endpoint it uses: `admin.tokenUrl`, or the one flyteadmin's metadata names. */
    readonly tokenUrl: string;
    /** The audience flyteadmin writes into the token (the issuer, from the token request's host). */
    readonly issuedAudience: string | undefined;
    /** The audience flyteadmin expects of a token on this component's calls. */
    readonly expectedAudience: string | undefined;
}

/** `admin.endpoint` (`dns:///host:port`, `host:port`) as an authority. */
export function endpointAuthority(endpoint: string): string {
    return endpoint.replace(/^dns:\/\/\//, "");
}

/** A component's calls of flyteadmin, from its merged config and flyteadmin's authorized URIs. */
export function adminCall(admin: unknown, authorizedUris: readonly string[]): AdminCall {
    const authority = endpointAuthority(stringAt(admin, "endpoint"));
    const configured = at(admin, "tokenUrl");
    const tokenUrl = typeof configured === "string" && configured !== "" ? configured : discoveredTokenUrl(authority, authorizedUris);
    return {
        authority,
        tokenUrl,
        issuedAudience: flytePublicUrl(httpRequestUrl(tokenUrl), authorizedUris),
        expectedAudience: flytePublicUrl(grpcRequestUrl(authority), authorizedUris),
    };
}

// ---- Files from mounted Secrets ----

/** Every key of a Secret: the chart's rendered ones and the program's (given as objects too). */
function secretNamed(docs: readonly K8sObject[], name: string, namespace: string): K8sObject | undefined {
    return findDocs(docs, "Secret").find((d) => d.metadata.name === name && (d.metadata.namespace ?? namespace) === namespace);
}

/** What a volume of Secrets shows at `relative` (a plain secret volume or a projection of Secrets), and from which Secret. */
function fileInVolume(docs: readonly K8sObject[], volume: JsonRecord, relative: string, namespace: string): { secret: string; content: string } | undefined {
    const sources: { name: string; items: unknown }[] = [];
    if (isRecord(at(volume, "secret"))) {
        sources.push({ name: stringAt(volume, "secret", "secretName"), items: at(volume, "secret", "items") });
    }
    if (isRecord(at(volume, "projected"))) {
        for (const source of arrayAt(volume, "projected", "sources")) {
            if (isRecord(at(source, "secret"))) {
                sources.push({ name: stringAt(source, "secret", "name"), items: at(source, "secret", "items") });
            }
        }
    }
    for (const source of sources) {
        const doc = secretNamed(docs, source.name, namespace);
        if (doc === undefined) {
            throw new Error(`Secret ${namespace}/${source.name}, mounted from volume ${String(at(volume, "name"))}, is neither rendered nor given`);
        }
        const files = secretFiles(doc);
        const visible = Array.isArray(source.items)
            ? Object.fromEntries(source.items.map((i) => [stringAt(i, "path"), files[stringAt(i, "key")]]))
            : files;
        if (visible[relative] !== undefined) {
            return { secret: source.name, content: visible[relative] };
        }
    }
    return undefined;
}

/**
 * The content of `file` as a container reads it from the Secrets mounted into it (`docs`: the chart's objects and
 * the Secrets the program creates), and the Secret it comes from; fails if no Secret mounted there has it.
 */
export function mountedSecretFile(docs: readonly K8sObject[], workload: K8sObject, container: JsonRecord, file: string, namespace: string): { secret: string; content: string } {
    const { mount, relative } = mountContaining(container, file);
    const found = fileInVolume(docs, podVolume(workload, mount.name), relative, namespace);
    if (found === undefined) {
        throw new Error(`${workload.metadata.name}/${stringAt(container, "name")}: no Secret in volume ${mount.name} has ${relative} (${file})`);
    }
    return found;
}

/** A Secret as the program declares it, from its captured inputs: namespace, name and stringData. */
export function programSecret(inputs: unknown): K8sObject {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: stringAt(inputs, "metadata", "name"), namespace: stringAt(inputs, "metadata", "namespace") },
        type: "Opaque",
        stringData: at(inputs, "stringData") as JsonRecord,
    };
}
