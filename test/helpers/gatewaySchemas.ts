import { execFileSync } from "child_process";
import { PROJECT_DIR } from "./plan";

/**
 * Gateway API and GKE policy objects checked against their published schemas: @kubernetes-models/gateway-api
 * (gateway.networking.k8s.io/v1 Gateway, HTTPRoute) and @kubernetes-models/gke (networking.gke.io/v1
 * HealthCheckPolicy, GCPBackendPolicy, GCPGatewayPolicy), strictly: a field the schema does not declare is an error.
 *
 * The Gateway API models are ES modules only, which Jest's CommonJS runtime cannot load, so the check runs in a
 * Node process of its own. Strictness the way test/helpers/kubernetesSchemas.ts adds it to kubernetes-models: the
 * compiled validators read every property their schema declares and enumerate the keys of maps, so a key that the
 * validator neither read nor enumerated at its path is not in the schema.
 */

const SCRIPT = String.raw`
const GKE_SCHEMAS = new URL("node_modules/@kubernetes-models/gke/_schemas/", "file://" + process.cwd() + "/").href;
const MODELS = {
    "gateway.networking.k8s.io/v1/Gateway": "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1Gateway",
    "gateway.networking.k8s.io/v1/HTTPRoute": "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1HTTPRoute",
    // @kubernetes-models/gke does not export its compiled schemas: they are read by file.
    "networking.gke.io/v1/HealthCheckPolicy": GKE_SCHEMAS + "NetworkingGkeIoV1HealthCheckPolicy.mjs",
    "networking.gke.io/v1/GCPBackendPolicy": GKE_SCHEMAS + "NetworkingGkeIoV1GCPBackendPolicy.mjs",
    "networking.gke.io/v1/GCPGatewayPolicy": GKE_SCHEMAS + "NetworkingGkeIoV1GCPGatewayPolicy.mjs",
};
const isObject = (v) => typeof v === "object" && v !== null;
function traced(value, path, trace) {
    if (!isObject(value)) return value;
    const proxied = Array.isArray(value) ? value.map((v, i) => traced(v, path + "[" + i + "]", trace)) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, traced(v, path + "." + k, trace)]));
    if (Array.isArray(value)) return proxied;
    const read = trace.read.get(path) ?? new Set();
    trace.read.set(path, read);
    return new Proxy(proxied, {
        get(target, key, receiver) { if (typeof key === "string") read.add(key); return Reflect.get(target, key, receiver); },
        has(target, key) { if (typeof key === "string") read.add(key); return Reflect.has(target, key); },
        ownKeys(target) { trace.enumerated.add(path); return Reflect.ownKeys(target); },
    });
}
function unknownFields(value, path, trace, problems) {
    if (Array.isArray(value)) { value.forEach((v, i) => unknownFields(v, path + "[" + i + "]", trace, problems)); return; }
    if (!isObject(value)) return;
    const read = trace.read.get(path);
    const map = trace.enumerated.has(path);
    if (!map && (read === undefined || read.size === 0)) { if (Object.keys(value).length > 0) problems.push(path + ": free-form object, not checked"); return; }
    for (const [key, item] of Object.entries(value)) {
        if (map || read.has(key)) unknownFields(item, path + "." + key, trace, problems);
        else problems.push(path + "." + key + ": unknown field");
    }
}
const objects = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = [];
for (const object of objects) {
    const key = object.apiVersion + "/" + object.kind;
    const label = object.kind + " " + (object.metadata?.namespace ?? "") + "/" + (object.metadata?.name ?? "");
    const module = MODELS[key];
    if (!module) { results.push(label + ": no schema for " + key); continue; }
    const loaded = await import(module);
    const validate = loaded.validate ?? loaded.default?.validate;
    const trace = { read: new Map(), enumerated: new Set() };
    const valid = validate(traced(object, "", trace));
    if (!valid) for (const e of validate.errors ?? []) results.push(label + ": " + (e.instancePath || "(root)") + " " + (e.message ?? e.keyword + " " + JSON.stringify(e.params)));
    const problems = [];
    unknownFields(object, "", trace, problems);
    results.push(...problems.map((p) => label + ": " + (p.startsWith(".") ? p.slice(1) : p)));
}
console.log(JSON.stringify(results));
`;

/** Schema problems of the objects, one line each (`<Kind> <namespace>/<name>: <path> <what>`); empty when all are valid. */
export function gatewaySchemaProblems(objects: readonly unknown[]): string[] {
    // A CommonJS `require` for reading stdin, next to the module's own imports.
    const script = `import { createRequire } from "module"; const require = createRequire(process.cwd() + "/");\n${SCRIPT}`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: PROJECT_DIR,
        input: JSON.stringify(objects),
        encoding: "utf8",
    });
    return JSON.parse(out) as string[];
}
