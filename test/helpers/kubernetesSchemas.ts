import * as path from "path";
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node, type ScalarTag, type Tags } from "yaml";
import type { Plan } from "../../lib/plan/runPlan";
import { isRecord } from "./json";

/**
 * Kubernetes objects checked the way the API server reads them, before anything reaches a cluster:
 *
 * - YAML as Kubernetes parses it. Helm's client (and Flyte's cluster resource sync) turns manifests into JSON with
 *   sigs.k8s.io/yaml, which decodes with go-yaml v2: YAML 1.1 scalars, so an unquoted `y`, `no`, `on` or `off` is a
 *   boolean and `1e3` or `0o17` a number (https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go,
 *   https://github.com/go-yaml/yaml/blob/v2.4.0/resolve.go). Into an untyped object, nothing coerces them back.
 * - Every object against the Kubernetes OpenAPI schemas of kubernetes-models 4.5.1, STRICTLY: a field the schema
 *   does not declare is an error, as with server-side field validation `Strict`
 *   (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation).
 *
 * kubernetes-models ships its schemas compiled into validators (ajv standalone code) that accept unknown fields. How
 * strictness is added: each object is validated through a proxy that records which fields the validator looks up
 * at each path. A compiled validator reads every property its schema declares (`properties`), and enumerates the
 * keys of a map (`additionalProperties`); so at any path, a key the validator neither read nor enumerated is not in
 * the schema. An object the validator neither reads nor enumerates has a schema without properties: free-form
 * (RawExtension, FieldsV1, a CRD's `default`: what the API server keeps as it is, like a field with
 * x-kubernetes-preserve-unknown-fields), where any field is allowed; those paths are reported, so a caller can tell
 * what went unchecked. `$ref`, int-or-string and quantities need nothing special: they are the compiled validators'
 * own business. The few properties the compiled schemas lack (`description` and `x-kubernetes-*`, see
 * SUPPLEMENTS) are checked here, and kinds Kubernetes no longer serves are refused (REMOVED_KINDS).
 */

// ---- YAML as Kubernetes reads it ----

const LONG_INT_TAG = "tag:yaml.org,2002:int";
const LONG_FLOAT_TAG = "tag:yaml.org,2002:float";
const TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp";

/** go-yaml v2's named floats (its bools and nulls are the `yaml` package's YAML 1.1 ones, word for word). */
const GO_SPECIAL_FLOATS: Readonly<Record<string, number>> = Object.fromEntries([
    ...[".nan", ".NaN", ".NAN"].map((s) => [s, NaN]),
    ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s) => [s, Infinity]),
    ...["-.inf", "-.Inf", "-.INF"].map((s) => [s, -Infinity]),
]);
/** go-yaml v2's `yamlStyleFloat`. */
const GO_YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseInt(s, 0, 64) accepts: a sign, then 0x/0b/0o, a leading-0 octal, or decimal digits. */
const GO_BASE0_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function goBase0Integer(digits: string): bigint {
    if (/^0[0-7]+$/.test(digits)) {
        return BigInt(`0o${digits.slice(1)}`);
    }
    return BigInt(digits.replace(/^0([XBO])/, (_, p: string) => `0${p.toLowerCase()}`));
}

/**
 * A plain (unquoted, untagged) scalar that starts with a digit, a sign or a dot, as go-yaml v2 resolves it:
 * special floats, then (underscores dropped) an int64, a uint64 or a YAML-style float; anything else, timestamps
 * included (they decode into an untyped value as their text), is a string.
 */
export function goYamlV2Number(text: string): number | string {
    if (text in GO_SPECIAL_FLOATS) {
        return GO_SPECIAL_FLOATS[text];
    }
    if (text.startsWith(".")) {
        return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : text;
    }
    const plain = text.replace(/_/g, "");
    const int = GO_BASE0_INT.exec(plain);
    if (int) {
        const magnitude = goBase0Integer(int[2]);
        const value = int[1] === "-" ? -magnitude : magnitude;
        if ((value >= INT64_MIN && value <= INT64_MAX) || (int[1] === "" && value <= UINT64_MAX)) {
            return Number(value);
        }
    }
    if (GO_YAML_FLOAT.test(plain) && Number.isFinite(Number(plain))) {
        return Number(plain);
    }
    return text;
}

const GO_YAML_V2_NUMBER: ScalarTag = {
    tag: LONG_FLOAT_TAG,
    default: true,
    // go-yaml v2 tries numbers only for scalars whose first character is a digit, a sign or a dot.
    test: /^[-+.0-9]/,
    resolve: (text) => goYamlV2Number(text),
};

/**
 * The `yaml` package's YAML 1.1 schema with go-yaml v2's scalars: its booleans (y, yes, on, true, n, no, off, false in
 * their capitalisations) and nulls are the same; numbers follow go-yaml (no sexagesimal, `0o17` and `1e3` are
 * numbers); timestamps stay strings, as go-yaml v2 decodes them into an untyped value.
 */
function kubernetesTags(tags: Tags): Tags {
    return [
        ...tags.filter((t) => typeof t === "string" || ![LONG_INT_TAG, LONG_FLOAT_TAG, TIMESTAMP_TAG].includes(t.tag)),
        GO_YAML_V2_NUMBER,
    ];
}

/**
 * DNS labels, so valid project, domain and namespace ids, that Kubernetes reads as booleans, null or numbers when
 * they are written into YAML unquoted.
 */
export const YAML_NON_STRING_DNS_LABELS: readonly string[] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "123", "0777", "0x1f", "0o17", "0b101", "1e3", "1e-3"];

export interface ManifestDocument {
    /** Where it came from: file or command, and the document's position in the stream. */
    readonly source: string;
    /** The document as the API server receives it (JSON). */
    readonly value: unknown;
}

export interface ParsedManifests {
    readonly documents: ManifestDocument[];
    /** Mapping keys that are not strings (`y:` is the key "true" once in JSON): one line each. */
    readonly problems: string[];
}

function nonStringKeys(node: unknown, where: string, out: string[]): void {
    if (isMap(node)) {
        for (const pair of node.items) {
            if (!isPair(pair)) {
                continue;
            }
            const key = pair.key;
            const name = isScalar(key) ? key.value : undefined;
            if (!isScalar(key) || typeof name !== "string") {
                out.push(`${where || "(root)"}: the key ${isScalar(key) ? `${key.source ?? String(name)} is read as ${JSON.stringify(name)}` : "is not a scalar"}, not a string; quote it`);
            }
            nonStringKeys(pair.value, `${where ? `${where}.` : ""}${String(name)}`, out);
        }
    } else if (isSeq(node)) {
        node.items.forEach((item, i) => nonStringKeys(item, `${where}[${i}]`, out));
    }
}

/**
 * A multi-document YAML stream (`helm template` output, a manifest file) parsed as the API server reads it. Syntax
 * errors and duplicate keys throw (the apply would fail or silently drop a value); empty documents are dropped.
 */
export function parseKubernetesYaml(text: string, source: string): ParsedManifests {
    const documents: ManifestDocument[] = [];
    const problems: string[] = [];
    parseAllDocuments(text, { version: "1.1", customTags: kubernetesTags, uniqueKeys: true }).forEach((doc, index) => {
        const where = `${source}, document ${index + 1}`;
        if (doc.errors.length > 0) {
            throw new Error(`${where}: ${doc.errors.map((e) => e.message).join("; ")}`);
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) {
            return;
        }
        const keys: string[] = [];
        nonStringKeys(doc.contents as Node | null, "", keys);
        problems.push(...keys.map((k) => `${where}: ${k}`));
        documents.push({ source: where, value });
    });
    return { documents, problems };
}

// ---- The schemas ----

type CompiledValidator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

interface AjvError {
    readonly instancePath: string;
    readonly keyword: string;
    readonly params: Record<string, unknown>;
}

/** Where kubernetes-models keeps its compiled schemas (not an export of the package: loaded by path). */
const SCHEMA_DIR = path.join(path.dirname(require.resolve("kubernetes-models")), "_schemas");
const validators = new Map<string, CompiledValidator | undefined>();

/** A compiled schema by its kubernetes-models name, e.g. IoK8sApiCoreV1Container. */
function compiledSchema(name: string): CompiledValidator {
    return (require(path.join(SCHEMA_DIR, `${name}.js`)) as { validate: CompiledValidator }).validate;
}

/**
 * API versions of kinds that kubernetes-models still has schemas for but that no supported Kubernetes serves, with
 * the release that removed them (https://kubernetes.io/docs/reference/using-api/deprecation-guide/): an object of
 * one fails to apply ("no matches for kind").
 */
const REMOVED_KINDS: Readonly<Record<string, string>> = Object.fromEntries(
    (
        [
            ["1.16", "extensions/v1beta1", ["DaemonSet", "Deployment", "ReplicaSet", "NetworkPolicy", "PodSecurityPolicy"]],
            ["1.16", "apps/v1beta1", ["Deployment", "StatefulSet", "ControllerRevision"]],
            ["1.16", "apps/v1beta2", ["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "ControllerRevision"]],
            ["1.22", "extensions/v1beta1", ["Ingress"]],
            ["1.22", "networking.k8s.io/v1beta1", ["Ingress", "IngressClass"]],
            ["1.22", "apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"]],
            ["1.22", "admissionregistration.k8s.io/v1beta1", ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]],
            ["1.22", "apiregistration.k8s.io/v1beta1", ["APIService"]],
            ["1.22", "certificates.k8s.io/v1beta1", ["CertificateSigningRequest"]],
            ["1.22", "coordination.k8s.io/v1beta1", ["Lease"]],
            ["1.22", "rbac.authorization.k8s.io/v1beta1", ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]],
            ["1.22", "scheduling.k8s.io/v1beta1", ["PriorityClass"]],
            ["1.22", "storage.k8s.io/v1beta1", ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"]],
            ["1.25", "batch/v1beta1", ["CronJob"]],
            ["1.25", "discovery.k8s.io/v1beta1", ["EndpointSlice"]],
            ["1.25", "events.k8s.io/v1beta1", ["Event"]],
            ["1.25", "autoscaling/v2beta1", ["HorizontalPodAutoscaler"]],
            ["1.25", "policy/v1beta1", ["PodDisruptionBudget", "PodSecurityPolicy"]],
            ["1.25", "node.k8s.io/v1beta1", ["RuntimeClass"]],
            ["1.26", "autoscaling/v2beta2", ["HorizontalPodAutoscaler"]],
            ["1.26", "flowcontrol.apiserver.k8s.io/v1beta1", ["FlowSchema", "PriorityLevelConfiguration"]],
            ["1.27", "storage.k8s.io/v1beta1", ["CSIStorageCapacity"]],
            ["1.29", "flowcontrol.apiserver.k8s.io/v1beta2", ["FlowSchema", "PriorityLevelConfiguration"]],
            ["1.32", "flowcontrol.apiserver.k8s.io/v1beta3", ["FlowSchema", "PriorityLevelConfiguration"]],
        ] as const
    ).flatMap(([release, apiVersion, kinds]) => kinds.map((kind) => [`${apiVersion}/${kind}`, release])),
);

/** The Kubernetes release that stopped serving a kind at this apiVersion, if it did. */
export function removedIn(apiVersion: string, kind: string): string | undefined {
    return REMOVED_KINDS[`${apiVersion}/${kind}`];
}

/**
 * The compiled schema of a top-level kind (one with apiVersion and kind), or undefined if kubernetes-models has
 * none: the model class `kubernetes-models/<group>/<version>/<Kind>` names its schema (`IoK8sApi...`).
 */
export function schemaFor(apiVersion: string, kind: string): CompiledValidator | undefined {
    const key = `${apiVersion}/${kind}`;
    if (validators.has(key)) {
        return validators.get(key);
    }
    let found: CompiledValidator | undefined;
    if (/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
        try {
            const model = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
            const cls = model[kind] as { apiVersion?: unknown; kind?: unknown } | undefined;
            const schemaName = Object.keys(model).find((name) => name.startsWith("Io") && model[name] === cls);
            // Only top-level kinds carry apiVersion and kind; `v1/Container` is a part, not an object.
            if (cls && cls.apiVersion === apiVersion && cls.kind === kind && schemaName) {
                found = compiledSchema(schemaName);
            }
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" && (err as NodeJS.ErrnoException).code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") {
                throw err;
            }
        }
    }
    validators.set(key, found);
    return found;
}

// ---- Strict validation ----

/** JSON pointer segments, as ajv writes instance paths. */
function pointer(parent: string, key: string | number): string {
    return `${parent}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

function segments(instancePath: string): string[] {
    return instancePath === ""
        ? []
        : instancePath
              .slice(1)
              .split("/")
              .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** `/spec/template/spec/containers/0/name` as `spec.template.spec.containers[0].name`. */
export function readablePath(instancePath: string): string {
    if (instancePath === "") {
        return "(root)";
    }
    return segments(instancePath).reduce(
        (out, seg) =>
            /^[0-9]+$/.test(seg) ? `${out}[${seg}]` : /^[A-Za-z0-9_$-]+$/.test(seg) ? `${out ? `${out}.` : ""}${seg}` : `${out}[${JSON.stringify(seg)}]`,
        "",
    );
}

interface Trace {
    /** Per path: the keys the validator looked up. */
    readonly read: Map<string, Set<string>>;
    /** Paths whose keys the validator enumerated (maps). */
    readonly enumerated: Set<string>;
}

/** `value` seen through proxies that record the validator's lookups; placeholders read as absent. */
function traced(value: unknown, at: string, trace: Trace, placeholder: (v: unknown) => boolean): unknown {
    if (typeof value !== "object" || value === null) {
        return value;
    }
    const note = (key: string) => {
        const keys = trace.read.get(at) ?? new Set<string>();
        keys.add(key);
        trace.read.set(at, keys);
    };
    return new Proxy(value, {
        get(target, key, receiver) {
            const found: unknown = Reflect.get(target, key, receiver);
            if (typeof key !== "string" || (Array.isArray(target) && key === "length")) {
                return found;
            }
            note(key);
            return placeholder(found) ? undefined : traced(found, pointer(at, key), trace, placeholder);
        },
        has(target, key) {
            if (typeof key === "string") {
                note(key);
            }
            return Reflect.has(target, key);
        },
        getOwnPropertyDescriptor(target, key) {
            if (typeof key === "string") {
                note(key);
            }
            return Reflect.getOwnPropertyDescriptor(target, key);
        },
        ownKeys(target) {
            trace.enumerated.add(at);
            return Reflect.ownKeys(target);
        },
    });
}

function describe(value: unknown): string {
    const type = value === null ? "null" : Array.isArray(value) ? "list" : typeof value;
    return typeof value === "object" && value !== null ? type : `${type} ${JSON.stringify(value)}`;
}

function errorText(error: AjvError, actual: unknown, where: string): string {
    switch (error.keyword) {
        case "type":
            return `${where}: must be of type ${String(error.params.type)}, found ${describe(actual)}`;
        case "required":
            return `${where}: the required field ${String(error.params.missingProperty)} is missing`;
        case "enum":
            return `${where}: must be one of ${JSON.stringify(error.params.allowedValues)}, found ${describe(actual)}`;
        case "format":
            return `${where}: must be a valid ${String(error.params.format)}, found ${describe(actual)}`;
        case "oneOf":
        case "anyOf":
            return `${where}: matches none of the allowed forms, found ${describe(actual)}`;
        default:
            return `${where}: fails ${error.keyword} ${JSON.stringify(error.params)}, found ${describe(actual)}`;
    }
}

/** Checks a field the compiled schemas lack; problems carry their readable path. */
type FieldCheck = (value: unknown, at: string, placeholder: (v: unknown) => boolean) => ObjectCheck;

const typed =
    (type: "string" | "boolean"): FieldCheck =>
    (value, at) => ({ problems: typeof value === type ? [] : [`${readablePath(at)}: must be of type ${type}, found ${describe(value)}`], freeForm: [], placeholders: [] });

const listOf =
    (item: FieldCheck): FieldCheck =>
    (value, at, placeholder) => {
        if (!Array.isArray(value)) {
            return { problems: [`${readablePath(at)}: must be of type array, found ${describe(value)}`], freeForm: [], placeholders: [] };
        }
        return mergeChecks(value.map((v, i) => item(v, pointer(at, i), placeholder)));
    };

const bySchema =
    (schemaName: string): FieldCheck =>
    (value, at, placeholder) =>
        strictCheck(compiledSchema(schemaName), value, at, placeholder);

/**
 * Properties Kubernetes declares that kubernetes-models 4.5.1's compiled schemas lack: its generator drops every
 * property named `description` or `x-kubernetes-*` (they look like OpenAPI annotations to it). The types are those
 * of the Kubernetes API (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/types_jsonschema.go,
 * k8s.io/api/scheduling/v1/types.go); the schema a path was validated with is recognised by the exact set of
 * properties its validator looked up.
 */
const SUPPLEMENTS: Readonly<Record<string, Readonly<Record<string, FieldCheck>>>> = {
    IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaProps: {
        description: typed("string"),
        "x-kubernetes-embedded-resource": typed("boolean"),
        "x-kubernetes-int-or-string": typed("boolean"),
        "x-kubernetes-list-map-keys": listOf(typed("string")),
        "x-kubernetes-list-type": typed("string"),
        "x-kubernetes-map-type": typed("string"),
        "x-kubernetes-preserve-unknown-fields": typed("boolean"),
        "x-kubernetes-validations": listOf(bySchema("IoK8sApiextensionsApiserverPkgApisApiextensionsV1ValidationRule")),
    },
    IoK8sApiextensionsApiserverPkgApisApiextensionsV1CustomResourceColumnDefinition: { description: typed("string") },
    IoK8sApiextensionsApiserverPkgApisApiextensionsV1ExternalDocumentation: { description: typed("string") },
    IoK8sApiSchedulingV1PriorityClass: { description: typed("string") },
};

/** The properties a compiled schema looks up, found by validating an empty object through a recording proxy. */
function declaredProperties(validate: CompiledValidator): string {
    const read = new Set<string>();
    validate(new Proxy({}, { get: (_t, key) => (typeof key === "string" && read.add(key), undefined) }));
    return [...read].sort().join(",");
}

let supplementsByProperties: Map<string, Readonly<Record<string, FieldCheck>>> | undefined;

function supplementFor(read: ReadonlySet<string>): Readonly<Record<string, FieldCheck>> | undefined {
    supplementsByProperties ??= new Map(Object.entries(SUPPLEMENTS).map(([name, fields]) => [declaredProperties(compiledSchema(name)), fields]));
    return supplementsByProperties.get([...read].sort().join(","));
}

export interface ObjectCheck {
    /** Schema violations and unknown fields, one line each, `path: what`. */
    readonly problems: string[];
    /** Paths of free-form objects (the schema allows any fields there). */
    readonly freeForm: string[];
    /** Paths of placeholder values, not validated. */
    readonly placeholders: string[];
}

function mergeChecks(checks: readonly ObjectCheck[]): ObjectCheck {
    return {
        problems: checks.flatMap((c) => c.problems),
        freeForm: checks.flatMap((c) => c.freeForm),
        placeholders: checks.flatMap((c) => c.placeholders),
    };
}

interface Walk {
    readonly trace: Trace;
    readonly placeholder: (v: unknown) => boolean;
    readonly results: ObjectCheck[];
}

/** Keys the schema does not declare, free-form objects and placeholders, below `at`. */
function walk(value: unknown, at: string, w: Walk): void {
    if (w.placeholder(value)) {
        w.results.push({ problems: [], freeForm: [], placeholders: [readablePath(at)] });
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item, i) => walk(item, pointer(at, i), w));
        return;
    }
    if (!isRecord(value)) {
        return;
    }
    const read = w.trace.read.get(at);
    const isMap = w.trace.enumerated.has(at);
    if (!isMap && read === undefined) {
        if (Object.keys(value).length > 0) {
            w.results.push({ problems: [], freeForm: [readablePath(at)], placeholders: [] });
        }
        return;
    }
    const supplement = !isMap && read ? supplementFor(read) : undefined;
    for (const [key, item] of Object.entries(value)) {
        const child = pointer(at, key);
        if (isMap || read?.has(key)) {
            walk(item, child, w);
        } else if (supplement?.[key]) {
            w.results.push(w.placeholder(item) ? { problems: [], freeForm: [], placeholders: [readablePath(child)] } : supplement[key](item, child, w.placeholder));
        } else {
            w.results.push({ problems: [`${readablePath(child)}: unknown field "${key}"`], freeForm: [], placeholders: [] });
        }
    }
}

/** `value` (found at `at`) against a compiled schema, strictly. */
function strictCheck(validate: CompiledValidator, value: unknown, at: string, placeholder: (v: unknown) => boolean): ObjectCheck {
    const trace: Trace = { read: new Map(), enumerated: new Set() };
    const valid = validate(traced(value, at, trace, placeholder));
    const errors = valid ? [] : (validate.errors ?? []).map((e) => {
        const path = at + e.instancePath;
        const actual = segments(e.instancePath).reduce<unknown>((v, seg) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[seg] : undefined), value);
        return errorText(e, actual, readablePath(path));
    });
    const w: Walk = { trace, placeholder, results: [] };
    walk(value, at, w);
    const walked = mergeChecks(w.results);
    return { ...walked, problems: [...new Set([...errors, ...walked.problems])] };
}

/**
 * One object against its kind's schema, strictly. Throws if kubernetes-models has no schema for the kind.
 * `placeholder` marks values that stand for something unknown (the plan's "[secret]"): they validate as absent.
 */
export function checkObject(object: unknown, placeholder: (v: unknown) => boolean = () => false): ObjectCheck {
    const apiVersion = isRecord(object) ? object.apiVersion : undefined;
    const kind = isRecord(object) ? object.kind : undefined;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
        return { problems: ["(root): not a Kubernetes object (apiVersion and kind must be strings)"], freeForm: [], placeholders: [] };
    }
    const validate = schemaFor(apiVersion, kind);
    if (!validate) {
        throw new Error(`kubernetes-models has no schema for ${apiVersion} ${kind}`);
    }
    return strictCheck(validate, object, "", placeholder);
}

// ---- Many objects: what a stack declares and renders ----

export interface SchemaReport {
    /** One line each: `<object> (<source>): <problem>`. Empty when everything is valid. */
    readonly problems: string[];
    /** Objects let through without a schema, with the reason the allow-list gives. */
    readonly withoutSchema: string[];
    /** `<object>: <path>` of free-form objects. */
    readonly freeForm: string[];
    /** `<object>: <path>` of placeholder values. */
    readonly placeholders: string[];
    /** How many objects were validated against a schema. */
    readonly validated: number;
}

export interface ReportOptions {
    /**
     * Kinds with no schema in kubernetes-models that may pass unvalidated, keyed `<apiVersion>/<kind>`, each with the
     * reason. Any other kind without a schema is a problem.
     */
    readonly withoutSchema?: Readonly<Record<string, string>>;
    readonly placeholder?: (v: unknown) => boolean;
}

function objectName(value: unknown): string {
    const meta = isRecord(value) && isRecord(value.metadata) ? value.metadata : {};
    const kind = isRecord(value) && typeof value.kind === "string" ? value.kind : "(no kind)";
    const name = typeof meta.name === "string" ? meta.name : typeof meta.generateName === "string" ? `${meta.generateName}*` : "(autonamed)";
    return `${kind} ${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${name}`;
}

/** Every document checked; kinds without a schema are problems unless allowed, with a reason. */
export function schemaReport(documents: readonly ManifestDocument[], options: ReportOptions = {}): SchemaReport {
    const report = { problems: [] as string[], withoutSchema: [] as string[], freeForm: [] as string[], placeholders: [] as string[], validated: 0 };
    for (const doc of documents) {
        const label = `${objectName(doc.value)} (${doc.source})`;
        const apiVersion = isRecord(doc.value) ? doc.value.apiVersion : undefined;
        const kind = isRecord(doc.value) ? doc.value.kind : undefined;
        const removed = typeof apiVersion === "string" && typeof kind === "string" ? removedIn(apiVersion, kind) : undefined;
        if (removed !== undefined) {
            report.problems.push(`${label}: ${String(apiVersion)} ${String(kind)} is not served since Kubernetes ${removed} (https://kubernetes.io/docs/reference/using-api/deprecation-guide/)`);
            continue;
        }
        if (typeof apiVersion === "string" && typeof kind === "string" && !schemaFor(apiVersion, kind)) {
            const reason = options.withoutSchema?.[`${apiVersion}/${kind}`];
            if (reason === undefined) {
                report.problems.push(`${label}: kubernetes-models 4.5.1 has no schema for ${apiVersion} ${kind}; validate it otherwise or allow it with a reason`);
            } else {
                report.withoutSchema.push(`${label}: ${reason}`);
            }
            continue;
        }
        const check = checkObject(doc.value, options.placeholder);
        report.validated++;
        report.problems.push(...check.problems.map((p) => `${label}: ${p}`));
        report.freeForm.push(...check.freeForm.map((p) => `${label}: ${p}`));
        report.placeholders.push(...check.placeholders.map((p) => `${label}: ${p}`));
    }
    return report;
}

/** Pulumi's Kubernetes type tokens name group/version and kind: `kubernetes:apps/v1:Deployment`. */
const KUBERNETES_TYPE = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/;
/** Resources of the Kubernetes provider that are not Kubernetes objects (a release's objects are its chart's). */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release"]);

/**
 * The Kubernetes objects a plan declares: every custom resource of the Kubernetes provider but Helm releases, its
 * inputs being the object, apiVersion and kind from the type token (`core/v1` is `v1`). Inputs that disagree with
 * the token, or a token that names no object, are problems.
 */
export function planObjects(plan: Plan): { documents: ManifestDocument[]; problems: string[] } {
    const documents: ManifestDocument[] = [];
    const problems: string[] = [];
    for (const resource of plan.resources) {
        if (!resource.custom || !resource.type.startsWith("kubernetes:") || NOT_OBJECTS.has(resource.type)) {
            continue;
        }
        const source = `${resource.type} ${resource.name}`;
        const token = KUBERNETES_TYPE.exec(resource.type);
        if (!token) {
            problems.push(`${source}: the type token names no apiVersion and kind`);
            continue;
        }
        const apiVersion = token[1].startsWith("core/") ? token[1].slice("core/".length) : token[1];
        const kind = token[2];
        const inputs = resource.inputs;
        for (const [field, expected] of [["apiVersion", apiVersion], ["kind", kind]] as const) {
            if (inputs[field] !== undefined && inputs[field] !== expected) {
                problems.push(`${source}: ${field} ${JSON.stringify(inputs[field])} disagrees with the type token (${expected})`);
            }
        }
        documents.push({ source, value: { ...inputs, apiVersion, kind } });
    }
    return { documents, problems };
}
