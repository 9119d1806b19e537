import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { checkIamCondition, evaluateIamCondition, GCS_BUCKET_TYPE, GCS_OBJECT_TYPE, GcsRequestAttributes, gcsRequestAttributes, IAM_MAX_LOGICAL_OPERATORS } from "./celConditions";
import { mocked } from "./plan";
import { isRecord } from "./json";
import { UnsupportedGrant } from "./unsupported";

export { IAM_MAX_LOGICAL_OPERATORS, UnsupportedGrant };

/**
 * A small, deliberately strict evaluator of who may do what to which object, computed from what a plan registers
 * (IAM grants, IAM policy documents, MinIO policies) and nothing else: not from the program's pure functions. Any
 * grant it does not understand (another resource type that can grant storage access, another condition form,
 * NotAction, policy variables, ...) makes it throw, so a test built on it fails rather than passing by ignoring a
 * grant. GCS conditions are evaluated by a CEL engine (celConditions.ts); the S3 decisions here back the IAM policy
 * simulator (iamSimulator.ts), which the AWS tests use, and judge MinIO's policies on their own.
 */

export type StorageRequest =
    | { readonly action: "get" | "put" | "delete"; readonly bucket: string; readonly key: string }
    /** List object names under a prefix ("" for the whole bucket). */
    | { readonly action: "list"; readonly bucket: string; readonly prefix: string };

function describeRequest(request: StorageRequest): string {
    return request.action === "list"
        ? `list ${request.bucket} under "${request.prefix}"`
        : `${request.action} ${request.bucket}/${request.key}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Google Cloud Storage: BucketIAMMember grants, with IAM conditions of the form the program writes.
// ---------------------------------------------------------------------------------------------------------------

/** The storage permissions of the predefined roles the evaluator knows (from Google's role reference). */
export const GCS_ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
    "roles/storage.objectAdmin": [
        "storage.objects.create",
        "storage.objects.delete",
        "storage.objects.get",
        "storage.objects.getIamPolicy",
        "storage.objects.list",
        "storage.objects.setIamPolicy",
        "storage.objects.update",
        "storage.multipartUploads.abort",
        "storage.multipartUploads.create",
        "storage.multipartUploads.list",
        "storage.multipartUploads.listParts",
    ],
    "roles/storage.objectViewer": ["storage.objects.get", "storage.objects.list"],
    "roles/storage.objectCreator": ["storage.objects.create", "storage.multipartUploads.create"],
    "roles/storage.legacyBucketReader": ["storage.buckets.get", "storage.objects.list"],
};

/** What a request needs, and the IAM resource name it is checked against (`resource.name` in conditions). */
export function gcsPermission(request: StorageRequest): { permission: string; resourceName: string } {
    const bucketName = `projects/_/buckets/${request.bucket}`;
    switch (request.action) {
        case "get":
            return { permission: "storage.objects.get", resourceName: `${bucketName}/objects/${request.key}` };
        case "put":
            return { permission: "storage.objects.create", resourceName: `${bucketName}/objects/${request.key}` };
        case "delete":
            return { permission: "storage.objects.delete", resourceName: `${bucketName}/objects/${request.key}` };
        case "list":
            // Listing is a bucket-level permission: IAM checks it against the bucket, with the list request's prefix
            // as an API attribute (gcsRequestAttributes).
            return { permission: "storage.objects.list", resourceName: bucketName };
    }
}

/** A CEL string literal with no escapes but \" and \\ (all the program needs). */
const CEL_STRING = /^"(?:[^"\\\n]|\\["\\])*"/;
const STARTS_WITH = "resource.name.startsWith(";

/**
 * The prefixes of a condition `resource.name.startsWith("<p1>") || resource.name.startsWith("<p2>") || ...`.
 * Anything else (another function, another attribute, &&, !, parentheses around terms) throws. A hand-written
 * reading of the object-only form; the evaluator itself parses and evaluates conditions with a CEL engine
 * (celConditions.ts), which also reads the listing terms the program writes.
 */
export function parseStartsWithDisjunction(expression: string): string[] {
    const prefixes: string[] = [];
    let rest = expression.trim();
    for (;;) {
        if (!rest.startsWith(STARTS_WITH)) {
            throw new UnsupportedGrant(`condition not of the form resource.name.startsWith("...") || ...: ${expression}`);
        }
        rest = rest.slice(STARTS_WITH.length);
        const literal = CEL_STRING.exec(rest);
        if (!literal) {
            throw new UnsupportedGrant(`startsWith without a plain string literal: ${expression}`);
        }
        prefixes.push(literal[0].slice(1, -1).replace(/\\(["\\])/g, "$1"));
        rest = rest.slice(literal[0].length);
        if (!rest.startsWith(")")) {
            throw new UnsupportedGrant(`startsWith with more than one argument: ${expression}`);
        }
        rest = rest.slice(1).trimStart();
        if (rest === "") {
            return prefixes;
        }
        if (!rest.startsWith("||")) {
            throw new UnsupportedGrant(`terms joined by something other than ||: ${expression}`);
        }
        rest = rest.slice(2).trimStart();
    }
}

/**
 * Whether a BucketIAMMember's condition (absent: unconditional) admits a request with these attributes (or, given a
 * resource name, an object or bucket request without API attributes). The expression is parsed and evaluated by a
 * CEL engine (celConditions.ts); IAM refuses, and so grants nothing through, a binding whose condition has more than
 * 12 logical operators, which makes this throw.
 */
export function gcsConditionAdmits(condition: unknown, target: string | GcsRequestAttributes): boolean {
    if (condition === undefined || condition === null) {
        return true;
    }
    if (!isRecord(condition) || typeof condition.expression !== "string") {
        throw new UnsupportedGrant(`condition without an expression: ${JSON.stringify(condition)}`);
    }
    if (typeof condition.title !== "string" || condition.title === "" || condition.title.length > 100) {
        throw new UnsupportedGrant(`IAM requires a condition title of 1 to 100 characters: ${JSON.stringify(condition)}`);
    }
    const operators = checkIamCondition(condition.expression);
    if (operators > IAM_MAX_LOGICAL_OPERATORS) {
        throw new UnsupportedGrant(
            `IAM allows at most ${IAM_MAX_LOGICAL_OPERATORS} logical operators in a condition, "${condition.title}" has ${operators}`,
        );
    }
    const attributes: GcsRequestAttributes =
        typeof target === "string"
            ? { name: target, type: /^projects\/_\/buckets\/[^/]+\/objects\//.test(target) ? GCS_OBJECT_TYPE : GCS_BUCKET_TYPE, api: {} }
            : target;
    return evaluateIamCondition(condition.expression, attributes);
}

const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const GCS_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember";

/** Resources that could grant storage access the evaluator does not model: if the member appears in one, it throws. */
function otherGcpGrants(plan: Plan, member: string): RecordedResource[] {
    return plan.resources.filter((r) => {
        if (r.type === GCS_BUCKET || r.type === GCS_MEMBER) {
            return false;
        }
        // Any other storage resource (ACLs, IAM bindings and policies, HMAC keys, managed folders' IAM...).
        if (r.type.startsWith("gcp:storage/")) {
            return true;
        }
        // Project-, folder- or organization-wide grants to the member (storage roles could hide there).
        const grantsOnScope = /^gcp:(projects|folder|organizations)\/iAM/.test(r.type);
        const members = [r.inputs.member, ...(Array.isArray(r.inputs.members) ? r.inputs.members : [])];
        return grantsOnScope && members.includes(member);
    });
}

/** A member's grants in a plan, once checked for grants the evaluator does not model (plans do not change). */
const memberGrants = new WeakMap<Plan, Map<string, RecordedResource[]>>();

function checkedGrants(plan: Plan, member: string): RecordedResource[] {
    let byMember = memberGrants.get(plan);
    if (byMember === undefined) {
        byMember = new Map();
        memberGrants.set(plan, byMember);
    }
    let grants = byMember.get(member);
    if (grants === undefined) {
        const unknown = otherGcpGrants(plan, member);
        if (unknown.length > 0) {
            throw new UnsupportedGrant(`grants the evaluator does not model: ${unknown.map((r) => `${r.type} ${r.name}`).join(", ")}`);
        }
        grants = gcsGrants(plan, member);
        byMember.set(member, grants);
    }
    return grants;
}

/** Whether `member` (e.g. `serviceAccount:<email>`) may make the request, from the plan's GCS grants. */
export function gcsAllows(plan: Plan, member: string, request: StorageRequest): boolean {
    const grants = checkedGrants(plan, member);
    const bucket = plan.resources.find((r) => r.type === GCS_BUCKET && r.inputs.name === request.bucket);
    if (bucket && bucket.inputs.uniformBucketLevelAccess !== true) {
        throw new UnsupportedGrant(`bucket ${request.bucket} has ACLs (no uniform bucket-level access)`);
    }
    const { permission } = gcsPermission(request);
    const attributes = gcsRequestAttributes(request);
    return grants.some((grant) => {
        if (grant.inputs.bucket !== request.bucket) {
            return false;
        }
        const role = String(grant.inputs.role);
        const permissions = GCS_ROLE_PERMISSIONS[role];
        if (permissions === undefined) {
            throw new UnsupportedGrant(`role ${role} (${grant.name}) is not one the evaluator knows`);
        }
        return permissions.includes(permission) && gcsConditionAdmits(grant.inputs.condition, attributes);
    });
}

/** Every BucketIAMMember of a member. */
export function gcsGrants(plan: Plan, member: string): RecordedResource[] {
    return plan.resources.filter((r) => r.type === GCS_MEMBER && r.inputs.member === member);
}

/** The member of the Google service account with this email, checked against what the plan registers. */
export function gcpServiceAccountMember(plan: Plan, email: string): string {
    const accounts = plan.resources.filter(
        (r) => r.type === "gcp:serviceaccount/account:Account" && mocked(r).state.email === email,
    );
    if (accounts.length !== 1) {
        throw new Error(`expected one service account ${email} in the plan, found ${accounts.length}`);
    }
    return `serviceAccount:${email}`;
}

// ---------------------------------------------------------------------------------------------------------------
// S3 (AWS IAM and MinIO): policy documents.
// ---------------------------------------------------------------------------------------------------------------

export type Decision = "allow" | "deny" | "none";

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "Resource", "Condition", "Principal"]);

function strings(value: unknown, what: string): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value) && value.every((v): v is string => typeof v === "string")) {
        return value;
    }
    throw new UnsupportedGrant(`${what} is not a string or a list of strings: ${JSON.stringify(value)}`);
}

/** IAM's glob: `*` any run of characters (including `/`), `?` one character. */
export function iamGlob(pattern: string, value: string, caseInsensitive = false): boolean {
    if (pattern.includes("${")) {
        throw new UnsupportedGrant(`policy variables are not modelled: ${pattern}`);
    }
    const source = pattern.replace(/[.+^$(){}|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${source}$`, caseInsensitive ? "is" : "s").test(value);
}

/** The S3 action and resource ARN a request is authorized as, and its condition context. */
export function s3Request(request: StorageRequest): { action: string; resource: string; context: Record<string, string> } {
    const secure = { "aws:SecureTransport": "true" };
    switch (request.action) {
        case "get":
            return { action: "s3:GetObject", resource: `arn:aws:s3:::${request.bucket}/${request.key}`, context: secure };
        case "put":
            return { action: "s3:PutObject", resource: `arn:aws:s3:::${request.bucket}/${request.key}`, context: secure };
        case "delete":
            return { action: "s3:DeleteObject", resource: `arn:aws:s3:::${request.bucket}/${request.key}`, context: secure };
        case "list":
            return {
                action: "s3:ListBucket",
                resource: `arn:aws:s3:::${request.bucket}`,
                // Without a prefix parameter S3 sends no s3:prefix at all.
                context: request.prefix === "" ? secure : { ...secure, "s3:prefix": request.prefix },
            };
    }
}

function conditionHolds(condition: unknown, context: Record<string, string>): boolean {
    if (condition === undefined) {
        return true;
    }
    if (!isRecord(condition)) {
        throw new UnsupportedGrant(`Condition is not an object: ${JSON.stringify(condition)}`);
    }
    return Object.entries(condition).every(([operator, clauses]) => {
        if (!isRecord(clauses)) {
            throw new UnsupportedGrant(`Condition ${operator} is not an object`);
        }
        return Object.entries(clauses).every(([key, raw]) => {
            const values = strings(raw, `Condition ${operator} ${key}`);
            const supported =
                ((operator === "StringLike" || operator === "StringEquals") && key === "s3:prefix") ||
                (operator === "Bool" && key === "aws:SecureTransport");
            if (!supported) {
                throw new UnsupportedGrant(`Condition ${operator} on ${key} is not modelled`);
            }
            const actual = context[key];
            if (actual === undefined) {
                // A missing key fails every operator the evaluator supports (no ...IfExists).
                return false;
            }
            return values.some((v) => (operator === "StringLike" ? iamGlob(v, actual) : v === actual));
        });
    });
}

const parsedStatements = new Map<string, Record<string, unknown>[]>();

/** The statements of a policy document, validated (parsed once per document). */
export function policyStatements(document: string, where: string): Record<string, unknown>[] {
    let statements = parsedStatements.get(document);
    if (statements === undefined) {
        statements = readPolicyStatements(document, where);
        parsedStatements.set(document, statements);
    }
    return statements;
}

function readPolicyStatements(document: string, where: string): Record<string, unknown>[] {
    const parsed: unknown = JSON.parse(document);
    if (!isRecord(parsed) || parsed.Version !== "2012-10-17") {
        throw new UnsupportedGrant(`${where}: not a 2012-10-17 policy document`);
    }
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return statements.map((s) => {
        if (!isRecord(s)) {
            throw new UnsupportedGrant(`${where}: a statement is not an object`);
        }
        const unknown = Object.keys(s).filter((k) => !STATEMENT_KEYS.has(k));
        if (unknown.length > 0) {
            throw new UnsupportedGrant(`${where}: statement keys not modelled: ${unknown.join(", ")}`);
        }
        if (s.Effect !== "Allow" && s.Effect !== "Deny") {
            throw new UnsupportedGrant(`${where}: Effect ${JSON.stringify(s.Effect)}`);
        }
        return s;
    });
}

/**
 * The decision of a set of policy documents for a request: an explicit Deny wins, else any Allow, else none
 * (implicitly denied). `principals` says whether Principal is expected (resource policies) or forbidden (identity
 * policies); resource policies here only ever name everyone ("*").
 */
export function s3Decision(
    documents: readonly { readonly document: string; readonly where: string }[],
    request: StorageRequest,
    kind: "identity" | "resource" = "identity",
): Decision {
    const { action, resource, context } = s3Request(request);
    let allowed = false;
    for (const { document, where } of documents) {
        for (const s of policyStatements(document, where)) {
            if (kind === "identity" && s.Principal !== undefined) {
                throw new UnsupportedGrant(`${where}: Principal in an identity policy`);
            }
            if (kind === "resource" && s.Principal !== "*" && !(isRecord(s.Principal) && s.Principal.AWS === "*")) {
                throw new UnsupportedGrant(`${where}: a resource policy naming principals is not modelled`);
            }
            const matches =
                strings(s.Action, `${where} Action`).some((a) => iamGlob(a, action, true)) &&
                strings(s.Resource, `${where} Resource`).some((r) => iamGlob(r, resource)) &&
                conditionHolds(s.Condition, context);
            if (matches && s.Effect === "Deny") {
                return "deny";
            }
            allowed = allowed || matches;
        }
    }
    return allowed ? "allow" : "none";
}

/** The identity (inline) policies of an IAM role, by the role's name; throws on attachments it cannot read. */
function readIamRolePolicies(plan: Plan, roleName: string): { document: string; where: string }[] {
    const roles = plan.resources.filter((r) => r.type === "aws:iam/role:Role" && mocked(r).id === roleName);
    if (roles.length !== 1) {
        throw new Error(`expected one IAM role ${roleName} in the plan, found ${roles.length}`);
    }
    const role = roles[0];
    const inline = role.inputs.inlinePolicies;
    const managed = role.inputs.managedPolicyArns;
    if ((Array.isArray(inline) && inline.length > 0) || (Array.isArray(managed) && managed.length > 0)) {
        throw new UnsupportedGrant(`role ${roleName} has inline or managed policies on the role itself`);
    }
    const attachments = plan.resources.filter(
        (r) =>
            (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === roleName) ||
            (r.type === "aws:iam/policyAttachment:PolicyAttachment" &&
                Array.isArray(r.inputs.roles) &&
                r.inputs.roles.includes(roleName)),
    );
    if (attachments.length > 0) {
        throw new UnsupportedGrant(`role ${roleName} has managed policies attached: ${attachments.map((a) => a.name).join(", ")}`);
    }
    return plan.resources
        .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === roleName)
        .map((r) => {
            if (typeof r.inputs.policy !== "string") {
                throw new UnsupportedGrant(`RolePolicy ${r.name} has no resolved policy document`);
            }
            return { document: r.inputs.policy, where: `RolePolicy ${r.name}` };
        });
}

/** The bucket policies the plan registers for a bucket (by name). */
function readS3BucketPolicies(plan: Plan, bucket: string): { document: string; where: string }[] {
    const unknown = plan.resources.filter((r) =>
        /^aws:s3\/(bucketAcl|bucketAclV2|accessPoint|accessPointPolicy|objectAcl):/i.test(r.type),
    );
    if (unknown.length > 0) {
        throw new UnsupportedGrant(`S3 grants the evaluator does not model: ${unknown.map((r) => r.name).join(", ")}`);
    }
    return plan.resources
        .filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.inputs.bucket === bucket)
        .map((r) => {
            if (typeof r.inputs.policy !== "string") {
                throw new UnsupportedGrant(`BucketPolicy ${r.name} has no resolved policy document`);
            }
            return { document: r.inputs.policy, where: `BucketPolicy ${r.name}` };
        });
}

/** Whether the IAM role may make the request (over TLS), from its policies and the bucket's policy. */
export function iamRoleAllows(plan: Plan, roleName: string, request: StorageRequest): boolean {
    const bucketDecision = s3Decision(s3BucketPolicies(plan, request.bucket), request, "resource");
    if (bucketDecision === "deny") {
        return false;
    }
    if (bucketDecision === "allow") {
        throw new UnsupportedGrant(`the bucket policy of ${request.bucket} allows ${describeRequest(request)} by itself`);
    }
    return s3Decision(iamRolePolicies(plan, roleName), request) === "allow";
}

/** The IAM role name of a role ARN, checked against what the plan registers. */
function readIamRoleName(plan: Plan, arn: string): string {
    const roles = plan.resources.filter((r) => r.type === "aws:iam/role:Role" && mocked(r).state.arn === arn);
    if (roles.length !== 1) {
        throw new Error(`expected one IAM role ${arn} in the plan, found ${roles.length}`);
    }
    return mocked(roles[0]).id;
}

// ---------------------------------------------------------------------------------------------------------------
// MinIO: the users and policies the bucket job's mc script creates.
// ---------------------------------------------------------------------------------------------------------------

export interface MinioScript {
    /** Policy documents by policy name. */
    readonly policies: Readonly<Record<string, string>>;
    /** Policy names attached to each user, by the shell variable holding the user's access key. */
    readonly userPolicies: Readonly<Record<string, readonly string[]>>;
}

/**
 * Reads an mc script: `cat > /tmp/<file> <<'POLICY'` ... `POLICY` then `mc admin policy create local <name> <file>`,
 * `mc admin user add local "$VAR" ...`, `mc admin policy attach local <name> --user "$VAR"`. Anything else that
 * touches access (anonymous access, built-in policies, groups, service accounts) throws.
 */
export function parseMinioScript(script: string): MinioScript {
    const files: Record<string, string> = {};
    const policies: Record<string, string> = {};
    const userPolicies: Record<string, string[]> = {};
    const lines = script.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        const heredoc = /^cat > (\S+) <<'(\w+)'$/.exec(line);
        if (heredoc) {
            const end = lines.indexOf(heredoc[2], i + 1);
            if (end < 0) {
                throw new UnsupportedGrant(`unterminated here-document ${heredoc[2]}`);
            }
            files[heredoc[1]] = lines.slice(i + 1, end).join("\n");
            i = end;
            continue;
        }
        const create = /^mc admin policy create local (\S+) (\S+)$/.exec(line);
        if (create) {
            const document = files[create[2]];
            if (document === undefined) {
                throw new UnsupportedGrant(`policy ${create[1]} from a file the script did not write: ${create[2]}`);
            }
            policies[create[1]] = document;
            continue;
        }
        const attach = /^mc admin policy attach local (\S+) --user "\$(\w+)"(?: \|\| .*)?$/.exec(line);
        if (attach) {
            if (policies[attach[1]] === undefined) {
                throw new UnsupportedGrant(`attaches ${attach[1]}, which the script did not create (a built-in policy?)`);
            }
            userPolicies[attach[2]] = [...(userPolicies[attach[2]] ?? []), attach[1]];
            continue;
        }
        if (/\bmc\b/.test(line) && /\b(anonymous|policy set|group|svcacct|idp)\b/.test(line)) {
            throw new UnsupportedGrant(`mc command the evaluator does not model: ${line}`);
        }
        if (/\bmc admin policy\b/.test(line)) {
            throw new UnsupportedGrant(`mc admin policy command the evaluator does not model: ${line}`);
        }
    }
    return { policies, userPolicies };
}

/** Whether the MinIO user whose access key is in `$variable` may make the request. */
export function minioUserAllows(script: MinioScript, variable: string, request: StorageRequest): boolean {
    const names = script.userPolicies[variable] ?? [];
    const documents = names.map((name) => ({ document: script.policies[name], where: `MinIO policy ${name}` }));
    return s3Decision(documents, request) === "allow";
}

/** `read` once per plan and key: plans do not change once made, and the isolation suites ask thousands of times. */
function perPlan<T>(read: (plan: Plan, key: string) => T): (plan: Plan, key: string) => T {
    const cache = new WeakMap<Plan, Map<string, T>>();
    return (plan, key) => {
        let byKey = cache.get(plan);
        if (byKey === undefined) {
            byKey = new Map();
            cache.set(plan, byKey);
        }
        if (!byKey.has(key)) {
            byKey.set(key, read(plan, key));
        }
        return byKey.get(key) as T;
    };
}

/** The identity (inline) policies of an IAM role, by the role's name; throws on attachments it cannot read. */
export const iamRolePolicies = perPlan(readIamRolePolicies);
/** The bucket policies the plan registers for a bucket (by name). */
export const s3BucketPolicies = perPlan(readS3BucketPolicies);
/** The IAM role name of a role ARN, checked against what the plan registers. */
export const iamRoleName = perPlan(readIamRoleName);
