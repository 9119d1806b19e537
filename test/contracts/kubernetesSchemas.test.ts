/**
 * Every Kubernetes object a shipped stack sends to the API server, checked as the API server checks it, offline:
 *
 * - the objects the program declares (the plan's `kubernetes:*` resources, Helm releases aside), and
 * - every object the real chart renders from the release's values (`helm template`, with the capabilities a
 *   cluster reports), read as Kubernetes reads YAML (YAML 1.1: an unquoted `y` is `true`),
 *
 * against the Kubernetes OpenAPI schemas, strictly (an unknown field is an error, as with field validation
 * Strict). See test/helpers/kubernetesSchemas.ts for how. Then project and domain ids YAML reads as booleans,
 * nulls or numbers (`y`, `no`, `on`, `null`, `123`, `1e3`): every place the program or a chart renders them must
 * still give the API server, and Flyte, a string. The poc stack, with projects `x` and `y`, is the case that
 * failed `pulumi up`.
 *
 * Needs helm and the two pinned charts (test/helpers/helm.ts); renders each shipped stack's chart once.
 */
import type { FlyteConfig } from "../../components/contract/config";
import { gatewaySchemaProblems } from "../helpers/gatewaySchemas";
import { projectDomainNamespaces } from "../../components/shared/namespaces";
import { flyteBinaryValues } from "../../components/flyte/binaryValues";
import { flyteCoreValues } from "../../components/flyte/coreValues";
import { clusterResourceCustomData, clusterResourceTemplates, type WorkerAnnotation } from "../../components/flyte/clusterResources";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { customDataByDomain, replaceExact } from "../helpers/flyte";
import { ChartLocation, FLYTE_BINARY_CHART_LOCATION, FLYTE_CORE_CHART_LOCATION, releaseChart, releaseValues, renderChartText, resolveChart, resolveHelm } from "../helpers/helm";
import { ManifestDocument, parseKubernetesYaml, planObjects, schemaReport, YAML_NON_STRING_DNS_LABELS } from "../helpers/kubernetesSchemas";
import { ofType } from "../helpers/plan";
import { sharedPlan, shippedStacks } from "../helpers/sharedPlans";
import { arrayAt, at, isRecord, JsonRecord, stringAt } from "../helpers/json";

const RELEASE = "kubernetes:helm.sh/v3:Release";
/**
 * What a cluster's discovery tells `helm install` and `helm template` cannot know. flyte-core picks its CRD's
 * apiVersion by it (templates/propeller/crds/flyteworkflow.yaml): without it, the v1beta1 CRD that Kubernetes
 * stopped serving in 1.22.
 */
const CLUSTER_API_VERSIONS = ["apiextensions.k8s.io/v1/CustomResourceDefinition"];
/**
 * Kinds that may pass without a schema, each with its reason. None: every object of the shipped stacks has one
 * in kubernetes-models (a CustomResourceDefinition is validated as apiextensions.k8s.io/v1 CustomResourceDefinition).
 */
const WITHOUT_SCHEMA: Readonly<Record<string, string>> = {};
/**
 * Kinds kubernetes-models does not cover, validated instead by their own published models
 * (@kubernetes-models/gateway-api, @kubernetes-models/gke) in test/helpers/gatewaySchemas.ts, as strictly.
 */
const GATEWAY_KINDS: Readonly<Record<string, string>> = Object.fromEntries(
    [
        "gateway.networking.k8s.io/v1/Gateway",
        "gateway.networking.k8s.io/v1/HTTPRoute",
        "networking.gke.io/v1/HealthCheckPolicy",
        "networking.gke.io/v1/GCPBackendPolicy",
        "networking.gke.io/v1/GCPGatewayPolicy",
    ].map((kind) => [kind, "validated against @kubernetes-models/gateway-api or @kubernetes-models/gke (test/helpers/gatewaySchemas.ts)"]),
);
/** How the plan shows a secret value (lib/plan/monitor.ts). */
const isSecretPlaceholder = (value: unknown) => value === "[secret]";
const STACKS = shippedStacks();

let helm: string;


beforeAll(() => {
    helm = resolveHelm();
});

/** The chart's objects as the API server reads them, rendered from `values` (the release's own by default). */
function renderRelease(release: RecordedResource, values: unknown = releaseValues(release)): { documents: ManifestDocument[]; problems: string[] } {
    const text = renderChartText({
        chart: resolveChart(releaseChart(release)),
        helm,
        releaseName: stringAt(release.inputs, "name"),
        namespace: stringAt(release.inputs, "namespace"),
        values,
        apiVersions: CLUSTER_API_VERSIONS,
    });
    return parseKubernetesYaml(text, `helm template ${stringAt(release.inputs, "name")}`);
}

interface RenderedRelease {
    readonly release: RecordedResource;
    readonly documents: ManifestDocument[];
    readonly problems: string[];
}

const renderedStacks = new Map<string, RenderedRelease[]>();

/** A shipped stack's releases, each rendered once for this file. */
async function renderedStack(stack: string): Promise<RenderedRelease[]> {
    const plan = await sharedPlan(stack);
    let rendered = renderedStacks.get(stack);
    if (rendered === undefined) {
        rendered = ofType(plan, RELEASE).map((release) => ({ release, ...renderRelease(release) }));
        renderedStacks.set(stack, rendered);
    }
    return rendered;
}

function problemsOf(parsed: { documents: ManifestDocument[]; problems: string[] }): string[] {
    return [...parsed.problems, ...schemaReport(parsed.documents, { withoutSchema: WITHOUT_SCHEMA }).problems];
}

test("runs for every shipped stack", () => {
    expect(STACKS).toEqual(expect.arrayContaining(["dev", "eks", "local", "poc", "prod"]));
});

describe.each(STACKS)("stack %s", (stack) => {
    let plan: Plan;
    let rendered: RenderedRelease[];

    beforeAll(async () => {
        plan = await sharedPlan(stack);
        rendered = await renderedStack(stack);
    }, 5 * 60 * 1000);

    test("every Kubernetes object the program declares passes the Kubernetes schemas, strictly", () => {
        const declared = planObjects(plan);
        const report = schemaReport(declared.documents, { withoutSchema: { ...WITHOUT_SCHEMA, ...GATEWAY_KINDS }, placeholder: isSecretPlaceholder });
        const gatewayObjects = declared.documents.map((d) => d.value).filter((v) => isRecord(v) && `${String(v.apiVersion)}/${String(v.kind)}` in GATEWAY_KINDS);
        const gatewayProblems = gatewayObjects.length === 0 ? [] : gatewaySchemaProblems(gatewayObjects);
        expect([...declared.problems, ...report.problems, ...gatewayProblems]).toEqual([]);
        expect(report.withoutSchema.length).toBe(gatewayObjects.length);
        expect(report.validated).toBe(declared.documents.length - report.withoutSchema.length);
        expect(report.validated).toBeGreaterThan(0);
        expect(report.freeForm).toEqual([]);
        // The plan hides secret values; they may only be what a Secret holds, so nothing else goes unchecked.
        expect(report.placeholders.filter((p) => !/^Secret [^ ]+ \(kubernetes:core\/v1:Secret [^)]+\): (stringData|data)\b/.test(p))).toEqual([]);
    });

    test("its releases install the pinned charts rendered here", () => {
        expect(rendered.length).toBeGreaterThan(0);
        for (const { release } of rendered) {
            expect(stringAt(release.inputs, "version")).toBe(releaseChart(release).version);
        }
    });

    test("every object the chart renders from the release's values, read as the API server reads YAML, passes the Kubernetes schemas, strictly", () => {
        for (const { documents, problems } of rendered) {
            const report = schemaReport(documents, { withoutSchema: WITHOUT_SCHEMA });
            expect([...problems, ...report.problems]).toEqual([]);
            expect(report.validated).toBe(documents.length - report.withoutSchema.length);
            expect(report.validated).toBeGreaterThan(0);
            expect(report.freeForm).toEqual([]);
        }
    });
});

// ---- Project and domain ids YAML does not read as strings ----

const NON_STRING_IDS = YAML_NON_STRING_DNS_LABELS;
const NON_STRING_DOMAINS = ["y", "off", "1e3"];

/** The seed-projects init container's arguments after `seed-projects`, as the API server reads them. */
function seededProjects(documents: readonly ManifestDocument[]): unknown[] {
    const admin = documents.find((d) => at(d.value, "kind") === "Deployment" && at(d.value, "metadata", "name") === "flyteadmin");
    const seed = arrayAt(admin?.value, "spec", "template", "spec", "initContainers").find((c) => at(c, "name") === "seed-projects");
    const command = arrayAt(seed, "command");
    return command.slice(command.indexOf("seed-projects") + 1);
}

/** Every YAML file in the rendered ConfigMaps (Flyte's config files), each read as go-yaml v2 reads YAML. */
function configFiles(documents: readonly ManifestDocument[]): JsonRecord[] {
    return documents
        .filter((d) => at(d.value, "kind") === "ConfigMap")
        .flatMap((d) => Object.entries((at(d.value, "data") as Record<string, string> | undefined) ?? {}))
        .filter(([file]) => file.endsWith(".yaml"))
        .flatMap(([file, text]) => parseKubernetesYaml(text, file).documents.map((doc) => doc.value))
        .filter(isRecord);
}

/** Every `domains` list in Flyte's config files has exactly the domain ids, as strings. */
function expectDomainIds(config: readonly JsonRecord[]): void {
    const lists = config.map((c) => at(c, "domains")).filter((d) => d !== undefined);
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.map((list) => arrayAt(list).map((d) => at(d, "id")))).toEqual(lists.map(() => NON_STRING_DOMAINS));
}

describe("project and domain ids YAML reads as booleans, nulls or numbers", () => {
    test("poc: project y reaches the seed-projects command as the string y", async () => {
        const [poc] = await renderedStack("poc");
        expect(seededProjects(poc.documents)).toEqual(["x", "y"]);
    });

    test("the schema check fails on an id rendered unquoted: poc's values with the ids as they are (before the fix)", async () => {
        const [{ release }] = await renderedStack("poc");
        const values = structuredClone(releaseValues(release));
        const admin = values.flyteadmin as JsonRecord;
        admin.initialProjects = (admin.initialProjects as string[]).map((quoted) => JSON.parse(quoted) as string);
        expect(admin.initialProjects).toEqual(["x", "y"]);
        expect(problemsOf(renderRelease(release, values))).toEqual([
            expect.stringMatching(
                /^Deployment 103020-flytepoc-dev\/flyteadmin \(helm template flyte-core, document \d+\): spec\.template\.spec\.initContainers\[\d+\]\.command\[\d+\]: must be of type string, found boolean true$/,
            ),
        ]);
    });

    /**
     * Flyte's config with such ids, as the config parser makes it (it accepts them all:
     * test/components/config/yamlScalars.test.ts); written out, since the parser would load the Pulumi SDK here.
     */
    function hostileFlyte(flavor: "binary" | "core"): FlyteConfig {
        const namespaceTemplate = "{{ project }}-{{ domain }}";
        return {
            flavor,
            projects: NON_STRING_IDS,
            domains: NON_STRING_DOMAINS,
            domainNames: {},
            namespaceTemplate,
            // flyte-binary quotes its namespace; flyte-core cannot (config refuses such a namespace there).
            namespace: flavor === "binary" ? "y" : "flyte",
            projectNamespaces: projectDomainNamespaces(NON_STRING_IDS, NON_STRING_DOMAINS, namespaceTemplate),
            chartVersion: "v1.16.8",
            chartRepository: "https://flyteorg.github.io/flyte",
            projectIsolation: false,
            projectSetupImage: "docker.io/curlimages/curl:8.11.1",
            core: { replicas: 1, proxyImage: "docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine" },
        };
    }
    const database = { host: "10.0.0.3", port: 5432, name: "flyte", username: "flyte", options: "sslmode=require", passwordSecret: "flyte-db-password" };
    const storage = { provider: "gcs", project: "acme-test", metadataBucket: "acme-metadata", userDataBucket: "acme-userdata" } as const;
    const annotationKey = "iam.gke.io/gcp-service-account";
    const worker: WorkerAnnotation = { kind: "perProject", annotationKey, prefix: "flyte-", suffix: "@acme-test.iam.gserviceaccount.com" };
    const fakeRelease = (chart: ChartLocation, namespace: string): RecordedResource =>
        ({ name: chart.chart, inputs: { chart: chart.chart, name: chart.chart, namespace } }) as unknown as RecordedResource;

    test("flyte-core: every id reaches flyteadmin's seed command, its domain config and the cluster resource data as a string", () => {
        const flyte = hostileFlyte("core");
        const values = flyteCoreValues({
            flyte,
            database,
            storage,
            identity: {
                annotationKey,
                components: { flyteadmin: "a@x", flytepropeller: "p@x", datacatalog: "d@x", flytescheduler: "s@x" },
                worker,
            },
            taskLogs: [],
            secretsChecksum: "checksum",
            replicas: 1,
        });
        const parsed = renderRelease(fakeRelease(FLYTE_CORE_CHART_LOCATION, flyte.namespace), values);
        expect(problemsOf(parsed)).toEqual([]);
        expect(seededProjects(parsed.documents)).toEqual(NON_STRING_IDS);
        const config = configFiles(parsed.documents);
        expectDomainIds(config);
        const customData = config.map((c) => at(c, "cluster_resources", "customData")).find((d) => d !== undefined);
        expect([...customDataByDomain(customData).keys()]).toEqual(NON_STRING_DOMAINS);
    });

    test("flyte-binary: every id (and the namespace y) reaches the objects and Flyte's seed and domain config as a string", () => {
        const flyte = hostileFlyte("binary");
        const values = flyteBinaryValues({
            flyte,
            database,
            storage,
            identity: { annotationKey, backend: "b@x", worker },
            taskLogs: [],
            labels: { "app.kubernetes.io/part-of": "flyte" },
            secretsChecksum: "checksum",
        });
        const parsed = renderRelease(fakeRelease(FLYTE_BINARY_CHART_LOCATION, flyte.namespace), values);
        expect(problemsOf(parsed)).toEqual([]);
        const config = configFiles(parsed.documents);
        expect(config.flatMap((c) => (at(c, "flyte", "admin", "seedProjects") as unknown[] | undefined) ?? [])).toEqual(NON_STRING_IDS);
        expectDomainIds(config);
    });

    test.each<[string, WorkerAnnotation]>([
        ["one task identity", { kind: "shared", annotationKey, identity: "flyte-worker@acme-test.iam.gserviceaccount.com" }],
        ["an identity per project", worker],
    ])("Flyte's cluster resource sync, given the program's templates (%s), creates objects with string ids", (_name, annotation) => {
        const templates = clusterResourceTemplates(annotation);
        const customData = customDataByDomain(clusterResourceCustomData(NON_STRING_DOMAINS, annotation));
        const problems = NON_STRING_IDS.flatMap((project) =>
            NON_STRING_DOMAINS.flatMap((domain) => {
                // The worst case: a namespace template of just {{ project }} makes the namespace the id itself.
                const custom = Object.fromEntries([...(customData.get(domain) ?? new Map<string, string>())].map(([k, v]) => [`{{ ${k} }}`, v]));
                const system = { "{{ namespace }}": project, "{{ project }}": project, "{{ domain }}": domain };
                return Object.entries(templates).flatMap(([file, text]) => {
                    // Flyte fills in namespace, project and domain first, then the domain's custom data (controller.go, createResourceFromTemplate).
                    const parsed = parseKubernetesYaml(replaceExact(replaceExact(text, system), custom), `${file} for ${project}/${domain}`);
                    expect(parsed.documents.map((d) => at(d.value, "metadata", "namespace") ?? at(d.value, "metadata", "name"))).toEqual([project]);
                    return problemsOf(parsed);
                });
            }),
        );
        expect(problems).toEqual([]);
    });
});
