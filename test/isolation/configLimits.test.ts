import { ConfigError } from "../../components/config/errors";
import { GCS_DEFAULT_BUCKET_PRINCIPALS } from "../../components/config/flyte";
import type { FlyteConfig } from "../../components/contract/config";
import { flyteWorkloads, projectMetadataPrefixes } from "../../components/contract/identities";
import { bucketGrants, conditionalBindingCount, MAX_CONDITIONAL_BINDINGS, MAX_POLICY_PRINCIPALS, objectPrefixCondition, prefixGroups } from "../../components/gcp/iam";
import { PROJECT_WORKER_MAX_GCP } from "../../components/gcp/names";
import { gcpStackConfig, TWO_PROJECT_DOMAINS as DOMAINS } from "../helpers/config";
import { checkIamCondition, conditionPrefixes } from "../helpers/celConditions";

/**
 * What config validation lets through, project isolation can hold: IAM's limits on the conditions and bindings
 * that keep each project to its own prefixes (GCP), and projects whose prefixes no permission could tell apart.
 * Config validation (components/config), the identities (components/contract/identities.ts) and GCP IAM
 * (components/gcp/iam.ts) together.
 */

describe("IAM's limits on the project conditions (GCP)", () => {
    /** IAM Conditions allow at most 12 logical operators (&&, ||, !) in one condition expression. */
    const MAX_LOGICAL_OPERATORS = 12;

    test("the proof of concept's three domains need 11 of them: six prefixes, each for objects and for listing", () => {
        const condition = objectPrefixCondition("meta", projectMetadataPrefixes("x", DOMAINS), "t");
        expect(checkIamCondition(condition.expression)).toBe(11);
    });

    test("every config validation accepts yields conditions IAM accepts (at most 12 logical operators, 20 bindings)", () => {
        const offenders: string[] = [];
        let accepted = 0;
        for (const count of [1, 3, 4, 6, 7, 10, 14, 40, 60, 61, 100]) {
            const domains = Array.from({ length: count }, (_, i) => `d${i}`);
            let flyte: FlyteConfig;
            try {
                flyte = gcpStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x"]', "flyte:flyteDomains": JSON.stringify(domains) }).flyte;
            } catch (err) {
                if (err instanceof ConfigError) {
                    continue; // Rejected up front: fine.
                }
                throw err;
            }
            accepted++;
            for (const request of flyteWorkloads(flyte).identities) {
                for (const grant of bucketGrants(request.data, flyte.projects)) {
                    if (grant.prefixes) {
                        // As FlyteServiceAccounts binds them: one condition per group.
                        const conditions = prefixGroups(grant.prefixes).map((group) => objectPrefixCondition("meta", group, "t"));
                        if (conditions.length > MAX_CONDITIONAL_BINDINGS) {
                            offenders.push(`${count} domains: ${request.key} gets ${conditions.length} conditional bindings`);
                        }
                        const tested = conditions.map((c) => conditionPrefixes(c.expression, "meta"));
                        const objects = tested.flatMap((t) => t.objects);
                        const listings = tested.flatMap((t) => t.listings);
                        if (objects.length !== grant.prefixes.length || new Set(objects).size !== objects.length || listings.join() !== objects.join()) {
                            offenders.push(`${count} domains: ${request.key}'s conditions test ${objects.length} prefixes for ${grant.prefixes.length}`);
                        }
                        for (const condition of conditions) {
                            const operators = checkIamCondition(condition.expression);
                            if (operators > MAX_LOGICAL_OPERATORS) {
                                offenders.push(`${count} domains: ${request.key} gets a condition with ${operators} logical operators`);
                            }
                        }
                    }
                }
            }
        }
        expect(offenders).toEqual([]);
        // Up to 60 domains are accepted (the limit is not so low that this test checks nothing).
        expect(accepted).toBe(9);
    });

    test("the longest condition config validation lets through stays a few KB (22-character project, 63-character domains and bucket)", () => {
        const domains = Array.from({ length: 3 }, (_, i) => `${String(i)}${"d".repeat(62)}`);
        const condition = objectPrefixCondition("b".repeat(63), projectMetadataPrefixes("p".repeat(PROJECT_WORKER_MAX_GCP), domains), "t");
        expect(checkIamCondition(condition.expression)).toBe(11);
        expect(condition.expression.length).toBeGreaterThan(2000);
        expect(condition.expression.length).toBeLessThan(3 * 1024);
    });

    test("a project's prefixes need one condition up to 3 domains, one more for every 3 after", () => {
        const conditionsFor = (count: number) => prefixGroups(projectMetadataPrefixes("x", Array.from({ length: count }, (_, i) => `d${i}`))).length;
        expect([1, 3, 4, 6, 7, 13, 14, 60].map(conditionsFor)).toEqual([1, 1, 2, 2, 3, 5, 5, 20]);
    });

    test("61 domains would need 21 conditional bindings per project: a one-line ConfigError on flyteDomains", () => {
        const domains = Array.from({ length: 61 }, (_, i) => `d${i}`);
        let error: unknown;
        try {
            gcpStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x"]', "flyte:flyteDomains": JSON.stringify(domains) });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect((error as ConfigError).key).toBe("flyte:flyteDomains");
        expect(message).toContain('invalid config flyte:flyteDomains = ["d0","d1"');
        expect(message).toContain(
            "with cloud gcp and projectIsolation, each project's task identity needs one conditional binding on the metadata bucket per 3 domains (IAM allows 12 logical operators in a condition) and IAM allows 20 such bindings per role and principal: at most 60 domains",
        );
        expect(message).not.toContain("\n");
        // Without isolation, or on another cloud, nothing binds per project.
        expect(() => gcpStackConfig({ "flyte:flyteProjects": '["x"]', "flyte:flyteDomains": JSON.stringify(domains) })).not.toThrow();
    });

    test("the metadata bucket's policy names at most 1500 principals: projects times bindings, Flyte's own and the defaults", () => {
        expect(MAX_POLICY_PRINCIPALS).toBe(1500);
        expect(GCS_DEFAULT_BUCKET_PRINCIPALS).toBe(6);
        const projects = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `p${i}`));
        const config = (n: number, flavor: string) => ({
            "flyte:projectIsolation": "true",
            "flyte:flavor": flavor,
            "flyte:flyteProjects": projects(n),
            "flyte:flyteDomains": JSON.stringify(Array.from({ length: 30 }, (_, i) => `d${i}`)),
        });
        // 30 domains: 10 bindings per project. flyte-core: 6 default members + 3 components x 2 roles = 12.
        expect(conditionalBindingCount(2 * 30)).toBe(10);
        expect(gcpStackConfig(config(148, "core")).flyte.projects).toHaveLength(148);
        let error: unknown;
        try {
            gcpStackConfig(config(149, "core"));
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).key).toBe("flyte:flyteProjects");
        expect((error as ConfigError).message).toContain(
            "with cloud gcp and projectIsolation, the metadata bucket's policy would name 1502 principals (10 conditional binding(s) per project, Flyte's own identities and the bucket's default members) and IAM allows 1500: at most 148 projects with 30 domains",
        );
        // flyte-binary's one backend takes 2: room for the same 148 (1488 + 8 = 1496).
        expect(gcpStackConfig(config(148, "binary")).flyte.projects).toHaveLength(148);
    });
});

describe("overlapping project data prefixes", () => {
    test("config validation refuses configured projects that overlap, naming both and why", () => {
        let error: unknown;
        try {
            gcpStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x","x-development"]', "flyte:flyteDomains": '["development","staging"]' });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toBe(
            'invalid config flyte:flyteProjects = "x-development": with projectIsolation, project x-development (domain development) shares the data prefix "x-development-" of project x: execution names may contain \'-\', so no permission can tell their metadata apart; rename one of them',
        );
    });
});
