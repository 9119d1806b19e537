/**
 * The strict Kubernetes schema check (test/helpers/kubernetesSchemas.ts) on hand-made objects: it accepts valid
 * objects, and rejects unknown fields at any depth, wrong types, and strings that YAML 1.1 (as Kubernetes parses
 * manifests) reads as booleans, nulls or numbers. Pure: no helm, no plan.
 */
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { checkObject, goYamlV2Number, parseKubernetesYaml, planObjects, readablePath, schemaFor, schemaReport } from "./kubernetesSchemas";

type Json = Record<string, unknown>;

function deployment(): Json {
    const labels = { "app.kubernetes.io/name": "web" };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "apps", labels, annotations: { "example.com/note": "any text" } },
        spec: {
            replicas: 2,
            selector: { matchLabels: labels },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
            template: {
                metadata: { labels },
                spec: {
                    securityContext: { runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "web",
                            image: "docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine",
                            command: ["nginx"],
                            args: ["-g", "daemon off;"],
                            env: [{ name: "MODE", value: "on" }],
                            ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                            resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: 1, memory: "128Mi" } },
                            readinessProbe: { httpGet: { path: "/", port: "http" } },
                            livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 },
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                capabilities: { drop: ["ALL"] },
                            },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        },
                    ],
                    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
                },
            },
        },
    };
}

function crd(): Json {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: {
            group: "example.com",
            names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
            scope: "Namespaced",
            versions: [
                {
                    name: "v1",
                    served: true,
                    storage: true,
                    schema: {
                        openAPIV3Schema: {
                            type: "object",
                            properties: {
                                spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true, default: { size: 1, shape: "round" } },
                            },
                        },
                    },
                },
            ],
        },
    };
}

const DELETE = Symbol("delete");
type Path = readonly (string | number)[];

/** A copy of `object` with the value at `path` set (or deleted). */
function changed(object: Json, path: Path, value: unknown): Json {
    const copy = structuredClone(object);
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) {
        parent = (parent as Record<string | number, unknown>)[key];
    }
    const target = parent as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (value === DELETE) {
        delete target[last];
    } else {
        target[last] = value;
    }
    return copy;
}

const POD: Path = ["spec", "template", "spec"];
const CONTAINER: Path = [...POD, "containers", 0];

describe("checkObject accepts valid objects", () => {
    test.each<[string, Json]>([
        ["a Deployment (int-or-string ports and surge, quantities as strings and numbers, label and annotation maps)", deployment()],
        ["a Service with a named and a numbered target port", {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", namespace: "apps" },
            spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "alt", port: 81, targetPort: 8081 }] },
        }],
        ["a ConfigMap (data is a map: any key)", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "any.key": "v", "001_x.yaml": "a: b" } }],
        ["a Secret with base64 data", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "Opaque", data: { password: "cGFzc3dvcmQ=" } }],
        ["a Job with a deadline", {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "j" },
            spec: { activeDeadlineSeconds: 600, backoffLimit: 2, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] } } },
        }],
        ["a ClusterRole", {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "r" },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
        }],
    ])("%s", (_name, object) => {
        expect(checkObject(object)).toEqual({ problems: [], freeForm: [], placeholders: [] });
    });

    test("a PriorityClass with a description (a field kubernetes-models' compiled schemas lack)", () => {
        const priorityClass = { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "p" }, value: 1000, description: "batch" };
        expect(checkObject(priorityClass)).toEqual({ problems: [], freeForm: [], placeholders: [] });
        expect(checkObject({ ...priorityClass, description: 1 }).problems).toEqual(["description: must be of type string, found number 1"]);
        expect(checkObject({ ...priorityClass, descriptions: "batch" }).problems).toEqual(['descriptions: unknown field "descriptions"']);
    });

    test("a CustomResourceDefinition is validated as one; where its schema allows anything (a default value) is reported as free-form", () => {
        expect(checkObject(crd())).toEqual({
            problems: [],
            freeForm: ["spec.versions[0].schema.openAPIV3Schema.properties.spec.default"],
            placeholders: [],
        });
    });
});

describe("checkObject rejects unknown fields at any depth, as server-side field validation Strict does", () => {
    test.each<[string, Path, unknown, string]>([
        ["at the top", ["spec_"], {}, 'spec_: unknown field "spec_"'],
        ["in metadata", ["metadata", "label"], { a: "b" }, 'metadata.label: unknown field "label"'],
        ["in the pod spec", [...POD, "securityContexts"], {}, 'spec.template.spec.securityContexts: unknown field "securityContexts"'],
        ["a pod field on a container", [...CONTAINER, "serviceAccountName"], "x", 'spec.template.spec.containers[0].serviceAccountName: unknown field "serviceAccountName"'],
        ["in a container's securityContext.capabilities", [...CONTAINER, "securityContext", "capabilities", "dropped"], ["ALL"], 'spec.template.spec.containers[0].securityContext.capabilities.dropped: unknown field "dropped"'],
        ["in a probe", [...CONTAINER, "readinessProbe", "httpGet", "paths"], ["/"], 'spec.template.spec.containers[0].readinessProbe.httpGet.paths: unknown field "paths"'],
        ["in a volume source", [...POD, "volumes", 0, "emptyDir", "size"], "1Gi", 'spec.template.spec.volumes[0].emptyDir.size: unknown field "size"'],
        ["in an env entry", [...CONTAINER, "env", 0, "valueFromm"], {}, 'spec.template.spec.containers[0].env[0].valueFromm: unknown field "valueFromm"'],
    ])("%s", (_name, path, value, problem) => {
        expect(checkObject(changed(deployment(), path, value)).problems).toEqual([problem]);
    });

    test("the JSONSchemaProps fields kubernetes-models lacks (description, x-kubernetes-*) are checked by their Kubernetes types", () => {
        const props = ["spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec"] as const;
        const at = "spec.versions[0].schema.openAPIV3Schema.properties.spec";
        expect(checkObject(changed(crd(), [...props, "description"], "the widget")).problems).toEqual([]);
        expect(checkObject(changed(crd(), [...props, "x-kubernetes-validations"], [{ rule: "self.size > 0", message: "empty" }])).problems).toEqual([]);
        expect(checkObject(changed(crd(), [...props, "x-kubernetes-preserve-unknown-fields"], "yes")).problems).toEqual([
            `${at}.x-kubernetes-preserve-unknown-fields: must be of type boolean, found string "yes"`,
        ]);
        expect(checkObject(changed(crd(), [...props, "x-kubernetes-validations"], [{ rule: "self.size > 0", mesage: "typo" }])).problems).toEqual([
            `${at}.x-kubernetes-validations[0].mesage: unknown field "mesage"`,
        ]);
        expect(checkObject(changed(crd(), [...props, "x-kubernetes-preserve-unknown"], true)).problems).toEqual([
            `${at}.x-kubernetes-preserve-unknown: unknown field "x-kubernetes-preserve-unknown"`,
        ]);
    });

    test("in a typed object inside a map (a CRD's properties are JSONSchemaProps by $ref)", () => {
        const object = changed(crd(), ["spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec", "tpye"], "object");
        expect(checkObject(object).problems).toEqual([
            'spec.versions[0].schema.openAPIV3Schema.properties.spec.tpye: unknown field "tpye"',
        ]);
    });
});

describe("checkObject rejects wrong types", () => {
    test.each<[string, Path, unknown, string]>([
        ["an integer as a string", ["spec", "replicas"], "2", 'spec.replicas: must be of type integer, found string "2"'],
        ["a boolean in a command", [...CONTAINER, "command"], ["nginx", true], "spec.template.spec.containers[0].command[1]: must be of type string, found boolean true"],
        ["a number as a label value", ["metadata", "labels", "tier"], 1, "metadata.labels.tier: must be of type string, found number 1"],
        ["a boolean as an env value", [...CONTAINER, "env", 0, "value"], false, "spec.template.spec.containers[0].env[0].value: must be of type string, found boolean false"],
        ["a boolean as an int-or-string port", [...CONTAINER, "readinessProbe", "httpGet", "port"], true, "spec.template.spec.containers[0].readinessProbe.httpGet.port: matches none of the allowed forms, found boolean true"],
        ["a boolean as a quantity", [...CONTAINER, "resources", "limits", "memory"], true, "spec.template.spec.containers[0].resources.limits.memory: matches none of the allowed forms, found boolean true"],
        ["a malformed quantity", [...CONTAINER, "resources", "limits", "memory"], "1 GB", 'spec.template.spec.containers[0].resources.limits.memory: matches none of the allowed forms, found string "1 GB"'],
        ["a value outside an enum", [...CONTAINER, "imagePullPolicy"], "Sometimes", 'spec.template.spec.containers[0].imagePullPolicy: must be one of ["Always","IfNotPresent","Never"], found string "Sometimes"'],
        ["a missing required field", [...CONTAINER, "name"], DELETE, "spec.template.spec.containers[0]: the required field name is missing"],
    ])("%s", (_name, path, value, problem) => {
        expect(checkObject(changed(deployment(), path, value)).problems).toContain(problem);
    });

    test("a kind without a schema in kubernetes-models throws (schemaReport reports it instead)", () => {
        expect(() => checkObject({ apiVersion: "flyte.lyft.com/v1alpha1", kind: "FlyteWorkflow", metadata: { name: "w" } })).toThrow(
            "kubernetes-models has no schema for flyte.lyft.com/v1alpha1 FlyteWorkflow",
        );
        // A part of an object is not an object.
        expect(schemaFor("v1", "Container")).toBeUndefined();
        expect(schemaFor("v1", "Pod")).toBeDefined();
    });
});

describe("YAML as Kubernetes reads it (go-yaml v2, YAML 1.1 scalars)", () => {
    const seedProjects = (id: string) =>
        [
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata:",
            "  name: admin",
            "spec:",
            "  selector: {matchLabels: {app: admin}}",
            "  template:",
            "    metadata: {labels: {app: admin}}",
            "    spec:",
            "      containers:",
            "      - name: seed",
            "        image: flyteadmin:v1.16.8",
            "        command:",
            "        - flyteadmin",
            "        - seed-projects",
            `        - ${id}`,
            "",
        ].join("\n");
    const problemsOf = (text: string) => {
        const parsed = parseKubernetesYaml(text, "test.yaml");
        return [...parsed.problems, ...schemaReport(parsed.documents).problems];
    };
    const COMMAND = "Deployment admin (test.yaml, document 1): spec.template.spec.containers[0].command[2]: must be of type string";

    test.each([
        ["y", "boolean true"],
        ["Y", "boolean true"],
        ["yes", "boolean true"],
        ["on", "boolean true"],
        ["ON", "boolean true"],
        ["true", "boolean true"],
        ["n", "boolean false"],
        ["no", "boolean false"],
        ["off", "boolean false"],
        ["False", "boolean false"],
        ["null", "null null"],
        ["~", "null null"],
        ["123", "number 123"],
        ["0777", "number 511"],
        ["0x1f", "number 31"],
        ["0o17", "number 15"],
        ["0b101", "number 5"],
        ["1e3", "number 1000"],
        ["1e-3", "number 0.001"],
        ["1_000", "number 1000"],
    ])("an unquoted %s is %s, which the API server rejects where it wants a string", (id, found) => {
        expect(problemsOf(seedProjects(id))).toEqual([`${COMMAND}, found ${found}`]);
    });

    test.each(["x", "flytesnacks", "2024-01-01", "190:20:30", "0x", "0b2", "1e", "e3", "yes-please", "no1", "onward"])(
        "an unquoted %s stays a string (as go-yaml v2 reads it)",
        (id) => {
            expect(problemsOf(seedProjects(id))).toEqual([]);
        },
    );

    test.each(['"y"', "'y'", '"123"', '"null"'])("a quoted %s is a string", (id) => {
        expect(problemsOf(seedProjects(id))).toEqual([]);
    });

    test("a mapping key YAML reads as a boolean or number is reported (JSON would spell it true or 1000)", () => {
        const text = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: c", "  labels:", "    on: x", "data:", "  1e3: y", '  "n": ok', ""].join("\n");
        expect(parseKubernetesYaml(text, "c.yaml").problems).toEqual([
            "c.yaml, document 1: metadata.labels: the key on is read as true, not a string; quote it",
            "c.yaml, document 1: data: the key 1e3 is read as 1000, not a string; quote it",
        ]);
    });

    test("syntax errors and duplicate keys fail the parse; empty documents are dropped", () => {
        expect(() => parseKubernetesYaml("a: [1\n", "bad.yaml")).toThrow("bad.yaml, document 1");
        expect(() => parseKubernetesYaml("a: 1\na: 2\n", "dup.yaml")).toThrow(/dup\.yaml, document 1: .*unique/);
        expect(parseKubernetesYaml("---\n# nothing\n---\nkind: A\n", "s.yaml").documents).toEqual([{ source: "s.yaml, document 2", value: { kind: "A" } }]);
    });

    test.each<[string, number | string]>([
        ["12", 12],
        ["+12", 12],
        ["-12", -12],
        ["0777", 511],
        ["08", 8],
        ["0X1F", 31],
        ["-0x1f", -31],
        ["0o17", 15],
        ["1_000", 1000],
        ["1e3", 1000],
        ["1.5", 1.5],
        [".5", 0.5],
        ["-.inf", -Infinity],
        ["18446744073709551615", 2 ** 64],
        ["0x10000000000000000", "0x10000000000000000"],
        ["1e999", "1e999"],
        ["2024-01-01", "2024-01-01"],
        ["190:20:30", "190:20:30"],
        [".", "."],
        ["-", "-"],
        ["1.2.3", "1.2.3"],
    ])("goYamlV2Number(%j) is %p", (text, expected) => {
        expect(goYamlV2Number(text)).toEqual(expected);
    });
});

describe("schemaReport", () => {
    const doc = (value: unknown, source = "s") => ({ source, value });

    test("kinds without a schema are problems unless allowed with a reason", () => {
        const workflow = doc({ apiVersion: "flyte.lyft.com/v1alpha1", kind: "FlyteWorkflow", metadata: { name: "w", namespace: "p" } });
        expect(schemaReport([workflow]).problems).toEqual([
            "FlyteWorkflow p/w (s): kubernetes-models 4.5.1 has no schema for flyte.lyft.com/v1alpha1 FlyteWorkflow; validate it otherwise or allow it with a reason",
        ]);
        const allowed = schemaReport([workflow], { withoutSchema: { "flyte.lyft.com/v1alpha1/FlyteWorkflow": "created by propeller, not by this program" } });
        expect(allowed).toEqual({
            problems: [],
            withoutSchema: ["FlyteWorkflow p/w (s): created by propeller, not by this program"],
            freeForm: [],
            placeholders: [],
            validated: 0,
        });
    });

    test("kinds at an API version Kubernetes no longer serves are problems, though kubernetes-models has their schema", () => {
        const crdV1beta1 = doc({ apiVersion: "apiextensions.k8s.io/v1beta1", kind: "CustomResourceDefinition", metadata: { name: "w.example.com" } });
        expect(schemaFor("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition")).toBeDefined();
        expect(schemaReport([crdV1beta1]).problems).toEqual([
            "CustomResourceDefinition w.example.com (s): apiextensions.k8s.io/v1beta1 CustomResourceDefinition is not served since Kubernetes 1.22 (https://kubernetes.io/docs/reference/using-api/deprecation-guide/)",
        ]);
    });

    test("placeholders validate as absent and are listed", () => {
        const secret = doc({ apiVersion: "v1", kind: "Secret", metadata: { name: "pw", namespace: "n" }, type: "Opaque", stringData: "[secret]" });
        expect(schemaReport([secret], { placeholder: (v) => v === "[secret]" })).toEqual({
            problems: [],
            withoutSchema: [],
            freeForm: [],
            placeholders: ["Secret n/pw (s): stringData"],
            validated: 1,
        });
        // Without the placeholder rule, the string where a map belongs is an error.
        expect(schemaReport([secret]).problems).toEqual(['Secret n/pw (s): stringData: must be of type object, found string "[secret]"']);
    });

    test("a document that is not an object of any kind is a problem", () => {
        expect(schemaReport([doc({ metadata: { name: "x" } })]).problems).toEqual([
            "(no kind) x (s): (root): not a Kubernetes object (apiVersion and kind must be strings)",
        ]);
    });
});

describe("planObjects", () => {
    const resource = (type: string, name: string, inputs: Json, custom = true): RecordedResource => ({
        urn: `urn:pulumi:s::p::${type}::${name}`,
        type,
        name,
        parent: "",
        custom,
        dependencies: [],
        propertyDependencies: {},
        inputs: inputs as RecordedResource["inputs"],
        protect: false,
        provider: "",
        ignoreChanges: [],
        deleteBeforeReplace: false,
        retainOnDelete: false,
    });
    const plan = (resources: RecordedResource[]): Plan => ({ stack: "s", project: "p", resources, outputs: {} });

    test("every custom Kubernetes resource but Helm releases, apiVersion and kind from the type token (core/v1 is v1)", () => {
        const found = planObjects(
            plan([
                resource("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "n" } }),
                resource("kubernetes:apps/v1:Deployment", "d", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } }),
                resource("kubernetes:helm.sh/v3:Release", "r", { chart: "c", values: {} }),
                resource("flyte:flyte:FlyteCore", "c", {}, false),
                resource("gcp:storage/bucket:Bucket", "b", {}),
            ]),
        );
        expect(found).toEqual({
            documents: [
                { source: "kubernetes:core/v1:Namespace ns", value: { apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } } },
                { source: "kubernetes:apps/v1:Deployment d", value: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } } },
            ],
            problems: [],
        });
    });

    test("inputs that disagree with the type token are problems", () => {
        expect(planObjects(plan([resource("kubernetes:core/v1:Secret", "s", { apiVersion: "v1", kind: "ConfigMap" })])).problems).toEqual([
            'kubernetes:core/v1:Secret s: kind "ConfigMap" disagrees with the type token (Secret)',
        ]);
    });
});

test("readablePath", () => {
    expect(readablePath("")).toBe("(root)");
    expect(readablePath("/spec/template/spec/containers/0/name")).toBe("spec.template.spec.containers[0].name");
    expect(readablePath("/metadata/labels/app.kubernetes.io~1name")).toBe('metadata.labels["app.kubernetes.io/name"]');
});
