import { describeEksStack } from "../helpers/eksStack";

// Pulumi.eks.yaml is a development-sized stack: no deletion protection, a single-AZ database, disposable buckets.
describeEksStack("eks", {
    protectedData: false,
    highAvailability: false,
    forceDestroyBuckets: true,
});
