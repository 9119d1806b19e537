import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ExecutionRoute } from "../contract/multiCluster";
import { adminClientCredentials, adminJob, type AdminJobArgs, AdminRequest, adminRequestsScript } from "./projectDataLocations";
import { contentName } from "./verification";

/**
 * On a control plane: which cluster each project's (or project-domain's) executions run in (`flyte:executionRoutes`).
 * flyteadmin picks an execution's cluster by its execution cluster label: the one the execution asks for, else the
 * most specific EXECUTION_CLUSTER_LABEL matchable attribute of its project, domain, workflow and launch plan, else
 * the configured default label (flyteadmin/pkg/executioncluster/impl/random_cluster_selector.go GetTarget). A Job
 * sets those attributes through flyteadmin's REST API after every change of the routes, and removes the ones of
 * routes no longer configured.
 */

/** The matchable resource the routes set (flyteidl/protos/flyteidl/admin/matchable_resource.proto MatchableResource). */
export const EXECUTION_CLUSTER_LABEL = "EXECUTION_CLUSTER_LABEL";

/**
 * The REST paths of flyteadmin's project and project-domain attributes (flyteidl/protos/flyteidl/service/admin.proto:
 * Update/DeleteProjectAttributes `/api/v1/project_attributes/{project}`, Update/DeleteProjectDomainAttributes
 * `/api/v1/project_domain_attributes/{project}/{domain}`; the PUTs' path reads `attributes.project` and
 * `attributes.domain` from the body, `body: "*"` for all four).
 */
function attributesPath(project: string, domain?: string): string {
    return domain === undefined ? `/api/v1/project_attributes/${project}` : `/api/v1/project_domain_attributes/${project}/${domain}`;
}

/** Where a request applies, for the Job's log. */
function scope(project: string, domain?: string): string {
    return domain === undefined ? `project ${project}` : `project ${project} domain ${domain}`;
}

/**
 * PUT of a route: a ProjectAttributesUpdateRequest or ProjectDomainAttributesUpdateRequest
 * (flyteidl/protos/flyteidl/admin/project_attributes.proto, project_domain_attributes.proto) whose
 * MatchingAttributes (matchable_resource.proto) is `execution_cluster_label: { value }`. flyteadmin stores it under
 * the resource type its oneof names, replacing what was there (flyteadmin/pkg/manager/impl/resources/resource_manager.go
 * UpdateProjectAttributes, UpdateProjectDomainAttributes): the project's other attributes (its data location, with
 * project isolation) stay as they are.
 */
function putRoute(route: ExecutionRoute): AdminRequest {
    const { project, domain, cluster } = route;
    return {
        method: "PUT",
        path: attributesPath(project, domain),
        body: JSON.stringify({
            attributes: { project, ...(domain === undefined ? {} : { domain }), matching_attributes: { execution_cluster_label: { value: cluster } } },
        }),
        summary: `${scope(project, domain)}: executions run in cluster ${cluster}`,
    };
}

/**
 * DELETE of the label of a project or project-domain without a route: a Project(Domain)AttributesDeleteRequest with
 * `resource_type: EXECUTION_CLUSTER_LABEL` (grpc-gateway reads the enum by name). Deleting what does not exist
 * answers 200 (gormimpl/resource_repo.go Delete does not fail on no rows); the Job also takes a 404 as done.
 */
function deleteLabel(project: string, domain?: string): AdminRequest {
    return {
        method: "DELETE",
        path: attributesPath(project, domain),
        body: JSON.stringify({ project, ...(domain === undefined ? {} : { domain }), resource_type: EXECUTION_CLUSTER_LABEL }),
        summary: `${scope(project, domain)}: no route, executions run in the default cluster unless another level routes them`,
    };
}

/**
 * Every request that makes flyteadmin's labels match the routes, for the configured projects and domains, in order:
 *
 * 1. a DELETE for every project-domain pair, then every project, without a route of its own. flyteadmin deletes by
 *    the non-empty fields of the id (resource_repo.go Delete, a gorm struct condition skips empty strings), so a
 *    project's DELETE also removes the label of each of its domains, workflows and launch plans;
 * 2. a PUT for every project route (project order);
 * 3. a PUT for every project-domain route (project, then domain order).
 *
 * Every PUT comes after every DELETE, so none is undone by a DELETE of a wider level. A project-domain label wins
 * over its project's: flyteadmin reads the one of highest priority among the levels that match (resource_repo.go
 * Get, `priority desc`; models/resource.go: project 5, project-domain 10, workflow 100, launch plan 1000). A label
 * set by hand on a workflow or launch plan of a configured project without a project route is removed.
 */
export function executionRouteRequests(args: {
    /** The configured projects (`flyte:flyteProjects`), in config order. */
    readonly projects: readonly string[];
    /** The configured domains (`flyte:flyteDomains`), in config order. */
    readonly domains: readonly string[];
    /** The routes: each project or project-domain at most once, of a configured project and domain. */
    readonly routes: readonly ExecutionRoute[];
}): AdminRequest[] {
    const { projects, domains, routes } = args;
    const key = (project: string, domain?: string) => `${project}/${domain ?? ""}`;
    const byKey = new Map<string, ExecutionRoute>();
    for (const route of routes) {
        const name = key(route.project, route.domain).replace(/\/$/, "");
        if (!projects.includes(route.project) || (route.domain !== undefined && !domains.includes(route.domain))) {
            throw new Error(`execution route ${name}=${route.cluster}: not a configured project${route.domain === undefined ? "" : " and domain"}`);
        }
        if (byKey.has(key(route.project, route.domain))) {
            throw new Error(`execution route ${name}: routed more than once`);
        }
        byKey.set(key(route.project, route.domain), route);
    }
    const pairs = projects.flatMap((project) => domains.map((domain) => ({ project, domain })));
    const routed = (project: string, domain?: string) => byKey.get(key(project, domain));
    return [
        ...pairs.filter((p) => routed(p.project, p.domain) === undefined).map((p) => deleteLabel(p.project, p.domain)),
        ...projects.filter((p) => routed(p) === undefined).map((p) => deleteLabel(p)),
        ...projects.flatMap((p) => {
            const route = routed(p);
            return route === undefined ? [] : [putRoute(route)];
        }),
        ...pairs.flatMap((p) => {
            const route = routed(p.project, p.domain);
            return route === undefined ? [] : [putRoute(route)];
        }),
    ];
}

export interface ExecutionRoutesArgs extends AdminJobArgs {
    /** The configured projects. */
    readonly projects: readonly string[];
    /** The configured domains. */
    readonly domains: readonly string[];
    /** `flyte:executionRoutes`, validated against the projects, domains and clusters. */
    readonly routes: readonly ExecutionRoute[];
}

/**
 * The routes set in flyteadmin (see above) by a Job like ProjectDataLocations': the same image, hardening, bounds
 * and sign-in. Its Kubernetes name is a digest of what it runs, so that a change of routes (or projects, domains,
 * flyteadmin, image) is a new Job, which runs; the same routes keep the Job, and a second `pulumi up` runs nothing.
 */
export class ExecutionRoutes extends pulumi.ComponentResource {
    /** The requests the Job makes, in order. */
    readonly requests: readonly AdminRequest[];
    readonly job: k8s.batch.v1.Job;

    constructor(name: string, args: ExecutionRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:ExecutionRoutes", name, {}, opts);
        this.requests = executionRouteRequests(args);
        const script = adminRequestsScript({
            adminUrl: args.adminUrl,
            requests: this.requests,
            purpose: "setting execution routes",
            client: adminClientCredentials(args.adminClient),
        });
        this.job = adminJob(
            `${name}-job`,
            {
                name: contentName("flyte-execution-routes", [args.image, script]),
                namespace: args.namespace,
                labels: { ...args.labels, "app.kubernetes.io/name": "flyte-execution-routes" },
                containerName: "set-execution-routes",
                image: args.image,
                script,
                adminClient: args.adminClient,
                provider: args.provider,
                release: args.release,
            },
            this,
        );
        this.registerOutputs({ job: this.job.metadata.name });
    }
}
