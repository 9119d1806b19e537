/**
 * Signed URLs for execution data do what the configuration says, in both charts (components/flyte/remoteData.ts):
 * the `remoteData` section flyteadmin reads, in the config files its container loads from the chart rendered with
 * each shipped stack's values, either signs (`signedUrls.enabled`, the only switch flyteadmin looks at: see
 * flyteadmin/pkg/manager/impl/util/data.go at v1.16.8) as an identity that may sign, or sets nothing.
 */
import { INLINE_DATA_LIMIT_MB, remoteDataValues, SIGNED_URL_MINUTES } from "../../components/flyte/remoteData";
import type { Plan } from "../../lib/plan/runPlan";
import { configDirectory, containerNamed } from "../helpers/coreChart";
import {
    at,
    findDoc,
    FLYTE_BINARY_CHART_LOCATION,
    FLYTE_CORE_CHART_LOCATION,
    JsonRecord,
    K8sObject,
    renderChart,
    resolveChart,
    resolveHelm,
    stringAt,
    stringMapAt,
} from "../helpers/helm";
import { isJsonObject } from "../helpers/policy";
import { sharedPlan } from "../helpers/sharedPlans";

const STACKS = ["dev", "prod", "eks", "local", "poc"] as const;
type Stack = (typeof STACKS)[number];

const GKE_GSA_ANNOTATION = "iam.gke.io/gcp-service-account";
const TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator";

interface Rendered {
    readonly plan: Plan;
    readonly chart: string;
    readonly namespace: string;
    readonly docs: K8sObject[];
    /** The configuration flyteadmin loads (flyte-binary's `flyte` container, flyte-core's `flyteadmin`). */
    readonly admin: JsonRecord;
}

const stacks = new Map<Stack, Rendered>();

beforeAll(async () => {
    const charts: Record<string, string> = {
        "flyte-binary": resolveChart(FLYTE_BINARY_CHART_LOCATION),
        "flyte-core": resolveChart(FLYTE_CORE_CHART_LOCATION),
    };
    const helm = resolveHelm();
    for (const [stack, plan] of await Promise.all(STACKS.map(async (s) => [s, await sharedPlan(s)] as const))) {
        const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && /flyte-(binary|core)$/.test(String(r.inputs.chart)));
        const values = release?.inputs.values;
        if (release === undefined || !isJsonObject(values)) {
            throw new Error(`${stack}: no Flyte release with plain values`);
        }
        const chart = stringAt(release.inputs, "chart");
        const namespace = stringAt(release.inputs, "namespace");
        const docs = renderChart({ chart: charts[chart], helm, releaseName: stringAt(release.inputs, "name"), namespace, values });
        const [deployment, container] = chart === "flyte-binary" ? ["flyte-binary", "flyte"] : ["flyteadmin", "flyteadmin"];
        const workload = findDoc(docs, "Deployment", deployment, namespace);
        const admin = configDirectory(docs, workload, containerNamed(workload, container), namespace).merged;
        stacks.set(stack, { plan, chart, namespace, docs, admin });
    }
}, 300000);

function get(stack: Stack): Rendered {
    const rendered = stacks.get(stack);
    if (rendered === undefined) {
        throw new Error(`${stack} was not rendered`);
    }
    return rendered;
}

/** The Google service account flyteadmin runs as: its Kubernetes service account's Workload Identity annotation. */
function adminIdentity(stack: Stack): string {
    const { chart, docs, namespace } = get(stack);
    const account = findDoc(docs, "ServiceAccount", chart === "flyte-binary" ? "flyte-binary" : "flyteadmin", namespace);
    return stringMapAt(account, "metadata", "annotations")[GKE_GSA_ANNOTATION];
}

describe.each(["dev", "prod", "poc"] as const)("%s (GCS)", (stack) => {
    test("flyteadmin signs execution data, as the Google service account it runs as", () => {
        const principal = adminIdentity(stack);
        expect(principal).toMatch(/@.+\.iam\.gserviceaccount\.com$/);
        expect(at(get(stack).admin, "remoteData")).toMatchObject({
            scheme: "gcp",
            maxSizeInBytes: INLINE_DATA_LIMIT_MB * 1024 * 1024,
            signedUrls: { enabled: true, durationMinutes: SIGNED_URL_MINUTES, signingPrincipal: principal },
        });
    });

    test("that account, and only it, may sign blobs and get tokens as itself (roles/iam.serviceAccountTokenCreator on itself)", () => {
        const principal = adminIdentity(stack);
        const grants = get(stack)
            .plan.resources.filter((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember" && r.inputs.role === TOKEN_CREATOR)
            .map((r) => [String(r.inputs.member), String(r.inputs.serviceAccountId).split("/").pop()]);
        expect(grants).toEqual([[`serviceAccount:${principal}`, principal]]);
    });
});

test("eks (S3 through IAM): flyteadmin presigns in the bucket's region", () => {
    const { admin } = get("eks");
    const region = stringAt(admin, "storage", "stow", "config", "region");
    expect(at(admin, "remoteData")).toEqual({
        scheme: "aws",
        region,
        maxSizeInBytes: INLINE_DATA_LIMIT_MB * 1024 * 1024,
        signedUrls: { enabled: true, durationMinutes: SIGNED_URL_MINUTES },
    });
});

test.each(STACKS)("%s: flyteadmin reads as much inline as it signs beyond (the console shows only inline data)", (stack) => {
    const { admin } = get(stack);
    expect(at(admin, "storage", "limits", "maxDownloadMBs")).toBe(INLINE_DATA_LIMIT_MB);
    const maxSize = at(admin, "remoteData", "maxSizeInBytes");
    if (maxSize !== undefined) {
        expect(maxSize).toBe(INLINE_DATA_LIMIT_MB * 1024 * 1024);
    }
});

test("local (MinIO with access keys): no remoteData at all, so flyteadmin's default (scheme none, no signing) holds", () => {
    // Its "local" scheme would log the MinIO keys (flyteadmin/pkg/data/factory.go).
    expect(at(get("local").admin, "remoteData")).toBeUndefined();
});

test.each(STACKS)("%s: every signing setting that is set is switched on (none that flyteadmin would ignore)", (stack) => {
    const signedUrls = at(get(stack).admin, "remoteData", "signedUrls");
    if (signedUrls !== undefined) {
        expect(at(signedUrls, "enabled")).toBe(true);
    }
});

describe("remoteDataValues", () => {
    test("GCS and S3 sign for a few minutes; access-key stores do not sign", () => {
        expect(remoteDataValues({ provider: "gcs", signingPrincipal: "a@p.iam.gserviceaccount.com" })).toEqual({
            scheme: "gcp",
            maxSizeInBytes: 10 * 1024 * 1024,
            signedUrls: { enabled: true, durationMinutes: 3, signingPrincipal: "a@p.iam.gserviceaccount.com" },
        });
        expect(remoteDataValues({ provider: "s3", region: "eu-central-1" })).toEqual({
            scheme: "aws",
            region: "eu-central-1",
            maxSizeInBytes: 10 * 1024 * 1024,
            signedUrls: { enabled: true, durationMinutes: 3 },
        });
        expect(remoteDataValues({ provider: "s3-access-keys" })).toEqual({ scheme: "none" });
    });
});
