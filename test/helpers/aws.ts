import type { AuthenticationConfig } from "../../components/contract/config";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { at, isRecord, JsonRecord, recordAt } from "./json";
import { byMockedId, mocked, ofType } from "./plan";

/**
 * IAM policy documents as AWS evaluates them, read from the JSON text a plan records (role trust policies,
 * inline role policies, bucket policies). Single values and lists are normalised to lists.
 */

export interface PolicyStatement {
    readonly sid?: string;
    readonly effect: string;
    readonly principal: unknown;
    readonly actions: string[];
    readonly resources: string[];
    /** Operator -> condition key -> values (a single value as a one-element list). */
    readonly condition: Record<string, Record<string, string[]>>;
}

function strings(value: unknown, what: string): string[] {
    if (value === undefined) {
        return [];
    }
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v): v is string => typeof v === "string")) {
        throw new Error(`${what} is not a string or a list of strings: ${JSON.stringify(value)}`);
    }
    return list;
}

export function parsePolicy(text: unknown, source: string): PolicyStatement[] {
    if (typeof text !== "string") {
        throw new Error(`${source}: the policy is ${JSON.stringify(text)}, not JSON text`);
    }
    const doc: unknown = JSON.parse(text);
    if (at(doc, "Version") !== "2012-10-17") {
        throw new Error(`${source}: policy Version is ${JSON.stringify(at(doc, "Version"))}`);
    }
    const raw = at(doc, "Statement");
    const statements = Array.isArray(raw) ? raw : [raw];
    return statements.map((s, i) => {
        const what = `${source} statement ${i}`;
        if (!isRecord(s)) {
            throw new Error(`${what} is not an object`);
        }
        if ("NotAction" in s || "NotResource" in s || "NotPrincipal" in s) {
            throw new Error(`${what} uses a Not* element, which these tests do not evaluate`);
        }
        const condition: Record<string, Record<string, string[]>> = {};
        const rawCondition: JsonRecord = isRecord(s.Condition) ? s.Condition : {};
        for (const [operator, keys] of Object.entries(rawCondition)) {
            condition[operator] = Object.fromEntries(
                Object.entries(recordAt(keys)).map(([key, value]) => [key, strings(value, `${what} ${operator} ${key}`)]),
            );
        }
        return {
            sid: typeof s.Sid === "string" ? s.Sid : undefined,
            effect: String(s.Effect),
            principal: s.Principal,
            actions: strings(s.Action, `${what} Action`),
            resources: strings(s.Resource, `${what} Resource`),
            condition,
        };
    });
}

/** What a web-identity (IRSA) trust statement admits. */
export interface WebIdentityTrust {
    readonly federated: string;
    readonly actions: string[];
    /** The OIDC issuer (host and path) the condition keys are prefixed with. */
    readonly issuer: string;
    /** Values of `<issuer>:sub` under StringEquals. */
    readonly subjects: string[];
    /** Values of `<issuer>:aud` under StringEquals. */
    readonly audiences: string[];
    /** Every `operator key` pair of the condition, e.g. "StringEquals oidc.eks...:sub". */
    readonly conditionKeys: string[];
}

/** The trust policy's statements, each read as web-identity trust; fails on any other kind of statement. */
export function webIdentityTrust(assumeRolePolicy: unknown, source: string): WebIdentityTrust[] {
    return parsePolicy(assumeRolePolicy, source).map((s, i) => {
        const federated = at(s.principal, "Federated");
        if (s.effect !== "Allow" || typeof federated !== "string" || Object.keys(recordAt(s.principal)).length !== 1) {
            throw new Error(`${source} statement ${i} does not allow exactly a federated principal: ${JSON.stringify(s)}`);
        }
        const equals = s.condition.StringEquals ?? {};
        const subKeys = Object.keys(equals).filter((k) => k.endsWith(":sub"));
        if (subKeys.length !== 1) {
            throw new Error(`${source} statement ${i} has ${subKeys.length} StringEquals :sub conditions`);
        }
        const issuer = subKeys[0].slice(0, -":sub".length);
        return {
            federated,
            actions: s.actions,
            issuer,
            subjects: equals[`${issuer}:sub`] ?? [],
            audiences: equals[`${issuer}:aud`] ?? [],
            conditionKeys: Object.entries(s.condition).flatMap(([op, keys]) => Object.keys(keys).map((k) => `${op} ${k}`)),
        };
    });
}

/** `system:serviceaccount:<namespace>:<name>`: the subject EKS writes into a service account's token. */
export function serviceAccountSubject(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

// ---- IPv4 ranges ----

export interface Ipv4Range {
    readonly start: number;
    /** Number of addresses. */
    readonly size: number;
}

export function parseIpv4Cidr(cidr: unknown): Ipv4Range {
    const match = typeof cidr === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr) : null;
    if (!match) {
        throw new Error(`not an IPv4 CIDR: ${JSON.stringify(cidr)}`);
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        throw new Error(`not an IPv4 CIDR: ${cidr}`);
    }
    const start = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (start % size !== 0) {
        throw new Error(`${cidr} has host bits set`);
    }
    return { start, size };
}

export function rangeContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
    return inner.start >= outer.start && inner.start + inner.size <= outer.start + outer.size;
}

export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
    return a.start < b.start + b.size && b.start < a.start + a.size;
}

/** The partition of a region, as ARNs of AWS-managed policies name it. */
export function awsPartitionOf(region: string): string {
    return region.startsWith("us-gov-") ? "aws-us-gov" : region.startsWith("cn-") ? "aws-cn" : "aws";
}

/** The AWS console's host name for a region (GovCloud and China have consoles of their own). */
export function awsConsoleHost(region: string): string {
    if (region.startsWith("us-gov-")) {
        return "console.amazonaws-us-gov.com";
    }
    if (region.startsWith("cn-")) {
        return "console.amazonaws.cn";
    }
    return `${region}.console.aws.amazon.com`;
}

/** Where a CloudWatch console link points: host, path and `region` query (the part before the `#` fragment). */
export function consoleLinkTarget(link: string): { host: string; path: string; region: string | null } {
    const url = new URL(link.split("#")[0]);
    return { host: url.hostname, path: url.pathname, region: url.searchParams.get("region") };
}

// ---- Networks under the plan's mocks ----

/** A network's subnets of one kind, named `<prefix>-<kind>-<zone index>` (zonalSubnets), in zone order. */
export function subnetsOf(plan: Plan, prefix: string, kind: "public" | "private"): RecordedResource[] {
    const start = `${prefix}-${kind}-`;
    const zone = (subnet: RecordedResource) => subnet.name.slice(start.length);
    return ofType(plan, "aws:ec2/subnet:Subnet")
        .filter((s) => s.name.startsWith(start) && /^\d+$/.test(zone(s)))
        .sort((a, b) => Number(zone(a)) - Number(zone(b)));
}

/** The route table associated with a subnet: its one RouteTableAssociation names the ids the mocks gave both. */
export function routeTableOf(plan: Plan, subnet: RecordedResource): RecordedResource {
    const subnetId = mocked(subnet).id;
    const associations = ofType(plan, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) => a.inputs.subnetId === subnetId);
    if (associations.length !== 1) {
        throw new Error(`expected one route table association of subnet ${subnet.name}, found ${associations.length}`);
    }
    return byMockedId(plan, "aws:ec2/routeTable:RouteTable", String(associations[0].inputs.routeTableId));
}

/** A Route 53 hosted zone id as a test's `flyte:dnsZone` names it. */
export const TEST_ROUTE53_ZONE = "Z0123456789ABCDEFGHIJ";

/** Sign-in through an external OpenID Connect provider, as an AWS platform's test configures it (`flyte:authentication: oidc`). */
export const TEST_OIDC_AUTHENTICATION: AuthenticationConfig = {
    mode: "oidc",
    issuerUrl: "https://login.example.com/oauth2/default",
    clientId: "flyte-client",
    clientSecret: "oidc-client-secret-value",
    scopes: ["openid", "profile", "email", "offline_access"],
};
