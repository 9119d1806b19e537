import { CelScalar, celEnv, celMethod, isCelError, mapType, parse, plan } from "@bufbuild/cel";
import type { StorageRequest } from "./storageAccess";
import { UnsupportedGrant } from "./unsupported";

/**
 * IAM conditions of Cloud Storage grants, parsed and evaluated by a real CEL engine (@bufbuild/cel) against the
 * attributes IAM gives a request (https://cloud.google.com/iam/docs/conditions-attribute-reference):
 * `resource.name`, `resource.type`, `resource.service` and the API attribute
 * `storage.googleapis.com/objectListPrefix` read through `api.getAttribute(name, default)`.
 *
 * Before evaluating, a condition is checked against the subset of CEL IAM accepts for Cloud Storage and this
 * evaluator models: anything else (another attribute or function, a constant condition, macros, indexing) throws
 * UnsupportedGrant, so a test cannot pass on a condition IAM would refuse or judge differently. The logical operators
 * (`&&`, `||`, `!`) are counted from the syntax tree: IAM allows at most 12 in one condition
 * (https://cloud.google.com/iam/docs/conditions-overview#limitations).
 */

export const IAM_MAX_LOGICAL_OPERATORS = 12;
export const OBJECT_LIST_PREFIX = "storage.googleapis.com/objectListPrefix";
export const GCS_BUCKET_TYPE = "storage.googleapis.com/Bucket";
export const GCS_OBJECT_TYPE = "storage.googleapis.com/Object";

/** What IAM knows of a Cloud Storage request when it evaluates a condition. */
export interface GcsRequestAttributes {
    /** `projects/_/buckets/<bucket>` or `projects/_/buckets/<bucket>/objects/<name>`. */
    readonly name: string;
    readonly type: typeof GCS_BUCKET_TYPE | typeof GCS_OBJECT_TYPE;
    /** API attributes present on the request, by name. */
    readonly api: Readonly<Record<string, string>>;
}

/**
 * The attributes of a request: object requests are checked against the object; listing is checked against the
 * bucket, with the list request's `prefix` as `objectListPrefix` (absent without a prefix).
 */
export function gcsRequestAttributes(request: StorageRequest): GcsRequestAttributes {
    const bucket = `projects/_/buckets/${request.bucket}`;
    if (request.action === "list") {
        return { name: bucket, type: GCS_BUCKET_TYPE, api: request.prefix === "" ? {} : { [OBJECT_LIST_PREFIX]: request.prefix } };
    }
    return { name: `${bucket}/objects/${request.key}`, type: GCS_OBJECT_TYPE, api: {} };
}

type CelExpr = ReturnType<typeof parse>["expr"];

const LOGICAL = new Set(["_&&_", "_||_", "!_"]);
const COMPARISON = new Set(["_==_", "_!=_"]);
const STRING_TESTS = new Set(["startsWith", "endsWith"]);
const RESOURCE_FIELDS = new Set(["name", "type", "service"]);

function describe(expr: CelExpr): string {
    switch (expr.exprKind.case) {
        case "identExpr":
            return expr.exprKind.value.name;
        case "selectExpr": {
            const operand = expr.exprKind.value.operand;
            return `${operand ? describe(operand) : "?"}.${expr.exprKind.value.field}`;
        }
        case "callExpr":
            return `${expr.exprKind.value.function}(...)`;
        case "constExpr":
            return `constant ${expr.exprKind.value.constantKind.case ?? "?"}`;
        default:
            return expr.exprKind.case ?? "an empty expression";
    }
}

function stringConstant(expr: CelExpr | undefined): string | undefined {
    return expr?.exprKind.case === "constExpr" && expr.exprKind.value.constantKind.case === "stringValue"
        ? expr.exprKind.value.constantKind.value
        : undefined;
}

/** `resource.<field>` for a field IAM gives Cloud Storage conditions, or undefined. */
function resourceField(expr: CelExpr): string | undefined {
    if (expr.exprKind.case !== "selectExpr" || expr.exprKind.value.testOnly) {
        return undefined;
    }
    const operand = expr.exprKind.value.operand;
    const field = expr.exprKind.value.field;
    return operand?.exprKind.case === "identExpr" && operand.exprKind.value.name === "resource" && RESOURCE_FIELDS.has(field)
        ? field
        : undefined;
}

/** `api.getAttribute("<attribute>", "<default>")`: the attribute's name, or undefined for anything else. */
function apiAttribute(expr: CelExpr): string | undefined {
    if (expr.exprKind.case !== "callExpr" || expr.exprKind.value.function !== "getAttribute") {
        return undefined;
    }
    const { target, args } = expr.exprKind.value;
    if (target?.exprKind.case !== "identExpr" || target.exprKind.value.name !== "api" || args.length !== 2) {
        return undefined;
    }
    const name = stringConstant(args[0]);
    return name !== undefined && stringConstant(args[1]) !== undefined ? name : undefined;
}

/** A string-valued attribute the evaluator models. */
function isStringAttribute(expr: CelExpr): boolean {
    const field = resourceField(expr);
    if (field !== undefined) {
        return true;
    }
    const attribute = apiAttribute(expr);
    if (attribute === undefined) {
        return false;
    }
    if (attribute !== OBJECT_LIST_PREFIX) {
        throw new UnsupportedGrant(`API attribute ${attribute} is not modelled`);
    }
    return true;
}

/** Checks a boolean sub-expression; returns how many logical operators it holds. */
function checkCondition(expr: CelExpr, source: string): number {
    if (expr.exprKind.case !== "callExpr") {
        throw new UnsupportedGrant(`condition term ${describe(expr)} is not a test IAM conditions are written with here: ${source}`);
    }
    const { function: fn, target, args } = expr.exprKind.value;
    if (LOGICAL.has(fn) && target === undefined) {
        // `!x` is one operator; `a || b` one, and should a parser ever join n terms in one call, n - 1.
        const own = fn === "!_" ? 1 : args.length - 1;
        return own + args.reduce((total, arg) => total + checkCondition(arg, source), 0);
    }
    if (COMPARISON.has(fn) && target === undefined && args.length === 2) {
        const [left, right] = args;
        if (resourceField(left) !== undefined && stringConstant(right) !== undefined) {
            return 0;
        }
        throw new UnsupportedGrant(`comparison ${fn} is not resource.<name|type|service> against a string: ${source}`);
    }
    if (STRING_TESTS.has(fn) && target !== undefined && args.length === 1) {
        if (!isStringAttribute(target)) {
            throw new UnsupportedGrant(`${fn} on ${describe(target)}, which is not an attribute modelled: ${source}`);
        }
        if (stringConstant(args[0]) === undefined) {
            throw new UnsupportedGrant(`${fn} without a string literal: ${source}`);
        }
        return 0;
    }
    throw new UnsupportedGrant(`function ${fn} is not one the evaluator models: ${source}`);
}

/** Parsed expressions, or why they are refused (parsing is the slow part; a plan has few distinct conditions). */
const checked = new Map<string, { parsed: ReturnType<typeof parse>; operators: number } | UnsupportedGrant>();

function checkedCondition(expression: string): { parsed: ReturnType<typeof parse>; operators: number } {
    let entry = checked.get(expression);
    if (entry === undefined) {
        try {
            let parsed: ReturnType<typeof parse>;
            try {
                parsed = parse(expression);
            } catch (err) {
                throw new UnsupportedGrant(`not a CEL expression (${(err as Error).message}): ${expression}`);
            }
            entry = { parsed, operators: checkCondition(parsed.expr, expression) };
        } catch (err) {
            if (!(err instanceof UnsupportedGrant)) {
                throw err;
            }
            entry = err;
        }
        checked.set(expression, entry);
    }
    if (entry instanceof UnsupportedGrant) {
        throw entry;
    }
    return entry;
}

/** How many logical operators an IAM condition expression holds; throws UnsupportedGrant on forms not modelled. */
export function checkIamCondition(expression: string): number {
    return checkedCondition(expression).operators;
}

const getAttribute = celMethod(
    "getAttribute",
    mapType(CelScalar.STRING, CelScalar.STRING),
    [CelScalar.STRING, CelScalar.STRING],
    CelScalar.STRING,
    function (name, fallback) {
        const value = this.get(name);
        return typeof value === "string" ? value : fallback;
    },
);
const env = celEnv({ funcs: [getAttribute] });
const compiled = new Map<string, ReturnType<typeof plan>>();

/** Evaluates an IAM condition expression (checked first) for a request's attributes. */
export function evaluateIamCondition(expression: string, attributes: GcsRequestAttributes): boolean {
    const { parsed } = checkedCondition(expression);
    let run = compiled.get(expression);
    if (run === undefined) {
        run = plan(env, parsed);
        compiled.set(expression, run);
    }
    const result = run({
        resource: new Map([
            ["name", attributes.name],
            ["type", attributes.type],
            ["service", "storage.googleapis.com"],
        ]),
        api: new Map(Object.entries(attributes.api)),
    });
    if (isCelError(result) || typeof result !== "boolean") {
        throw new UnsupportedGrant(`condition did not evaluate to a boolean (${String(result)}): ${expression}`);
    }
    return result;
}

/**
 * The prefixes a condition of the program's form admits: `objects` from `resource.name.startsWith("<bucket
 * objects>/<prefix>")`, `listings` from `api.getAttribute(objectListPrefix, "").startsWith("<prefix>")`, in order.
 * Throws UnsupportedGrant unless the expression is a disjunction of exactly such terms on `bucket`.
 */
export function conditionPrefixes(expression: string, bucket: string): { objects: string[]; listings: string[] } {
    const { parsed } = checkedCondition(expression);
    const objects: string[] = [];
    const listings: string[] = [];
    const objectPrefix = `projects/_/buckets/${bucket}/objects/`;
    const visit = (expr: CelExpr): void => {
        if (expr.exprKind.case === "callExpr" && expr.exprKind.value.function === "_||_") {
            expr.exprKind.value.args.forEach(visit);
            return;
        }
        if (expr.exprKind.case === "callExpr" && expr.exprKind.value.function === "startsWith" && expr.exprKind.value.target) {
            const target = expr.exprKind.value.target;
            const literal = stringConstant(expr.exprKind.value.args[0]) ?? "";
            if (resourceField(target) === "name" && literal.startsWith(objectPrefix)) {
                objects.push(literal.slice(objectPrefix.length));
                return;
            }
            if (apiAttribute(target) === OBJECT_LIST_PREFIX) {
                listings.push(literal);
                return;
            }
        }
        throw new UnsupportedGrant(`term ${describe(expr)} is not an object or listing prefix on ${bucket}: ${expression}`);
    };
    visit(parsed.expr);
    return { objects, listings };
}
