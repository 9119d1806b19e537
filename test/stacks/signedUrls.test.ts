/**
 * Signed URLs for execution data do what the configuration says, in both charts (components/flyte/remoteData.ts):
 * the `remoteData` section flyteadmin reads, in the config files its container loads from the chart rendered with
 * each shipped stack's values, either signs (`signedUrls.enabled`, the only switch flyteadmin looks at: see
 * flyteadmin/pkg/manager/impl/util/data.go at v1.16.8) as an identity that may sign, or sets nothing.
 */
import { INLINE_DATA_LIMIT_MB, SIGNED_URL_MINUTES } from "../../components/flyte/remoteData";
import { configDirectory, containerNamed } from "../helpers/flyte";
import { findDoc, RenderedRelease, renderFlyteRelease } from "../helpers/helm";
import { beforeAllPlans } from "../helpers/sharedPlans";
import { at, JsonRecord, stringAt, stringMapAt } from "../helpers/json";

const STACKS = ["dev", "prod", "eks", "local", "poc"] as const;
type Stack = (typeof STACKS)[number];

const GKE_GSA_ANNOTATION = "iam.gke.io/gcp-service-account";
const TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator";

interface Rendered extends RenderedRelease {
    /** flyte-binary or flyte-core. */
    readonly chartName: string;
    /** The configuration flyteadmin loads (flyte-binary's `flyte` container, flyte-core's `flyteadmin`). */
    readonly admin: JsonRecord;
}

const get = beforeAllPlans(STACKS, (plan): Rendered => {
    const rendered = renderFlyteRelease(plan);
    const { docs, namespace } = rendered;
    const chartName = stringAt(rendered.release.inputs, "chart");
    const [deployment, container] = chartName === "flyte-binary" ? ["flyte-binary", "flyte"] : ["flyteadmin", "flyteadmin"];
    const workload = findDoc(docs, "Deployment", deployment, namespace);
    return { ...rendered, chartName, admin: configDirectory(docs, workload, containerNamed(workload, container), namespace).merged };
});

/** The Google service account flyteadmin runs as: its Kubernetes service account's Workload Identity annotation. */
function adminIdentity(stack: Stack): string {
    const { chartName, docs, namespace } = get(stack);
    const account = findDoc(docs, "ServiceAccount", chartName === "flyte-binary" ? "flyte-binary" : "flyteadmin", namespace);
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
