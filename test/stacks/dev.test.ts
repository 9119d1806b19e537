import { describeGcpStack } from "../helpers/gcpStack";

describeGcpStack("dev", {
    protectedData: false,
    highAvailability: false,
    forceDestroyBuckets: true,
    clusterLocation: "europe-west1-b",
});
