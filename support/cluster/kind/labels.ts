/** The label that marks every object the suite creates, so clean-up never touches anything else. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'podnet-e2e';
/** The field manager of the suite's server-side applies. */
export const FIELD_MANAGER = 'podnet-e2e';
export const DEFAULT_NAMESPACE = 'podnet-e2e';
/** The image of the suite's probe pods (the course's multitool). */
export const MULTITOOL_IMAGE = 'praqma/network-multitool:latest';
