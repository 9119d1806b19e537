export * from "./dataServer";
export * from "./kubeconfig";
export * from "./kubernetesDashboard";
export * from "./localMinio";
export * from "./localPlatform";
export * from "./localPostgres";
