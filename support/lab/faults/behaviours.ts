/**
 * Faults that change how the lab's control plane behaves from the moment they are applied
 * (what CNI ADD or IPAM do for the next pod), rather than what the kernel holds now. The
 * parts that behave read `state.faults` for these names; faults.ts describes them.
 */
export const IGNORES_RESERVATIONS_FAULT = 'ipam-ignores-reservations';
export const IP_ADDRS_IGNORED_FAULT = 'ipaddrs-ignored';
export const POOLS_ANNOTATION_IGNORED_FAULT = 'pools-annotation-ignored';
export const DUPLICATE_FIXED_ADDRESS_FAULT = 'duplicate-fixed-address';
export const IP_ADDRS_APPLIED_LATE_FAULT = 'ipaddrs-applied-late';
export const RESERVATION_NARROWED_FAULT = 'reservation-narrowed';
export const PROXY_ARP_OFF_FAULT = 'proxy-arp-off-new-pods';
export const NAT_OUTGOING_IGNORES_POOL_FAULT = 'nat-outgoing-ignores-pool-setting';
/** Lesson 13: the operator puts FelixConfiguration `default` back as it wrote it, dropping the learner's patch. */
export const OPERATOR_REVERTS_FELIX_FAULT = 'operator-reverts-felix-config';
