@lesson-09 @topology:multi-ippool
Feature: Multiple IP pools
  Lesson 09: the Installation declares a default pool for every node and a secondary pool that
  selects no node. Nothing uses the secondary pool until a pod names it in its
  cni.projectcalico.org/ipv4pools annotation; then its node claims a block of it. (The
  lesson's LoadBalancer pool and BGP are lesson 08's; the lab's ToR here speaks no BGP.)

  @claim:L09-01
  Scenario: The operator renders both Installation pools, and the LoadBalancer pool sits beside them
    Then every pool of the Calico Installation is an IP pool with the settings it declares
    And the IP pools are exactly "default-ipv4-ippool, secondary-ipv4-ippool, loadbalancer-ip-pool"

  @claim:L09-02
  Scenario: The secondary pool is unused until a pod asks for it
    Then the pool "secondary-ipv4-ippool" is unused: no BlockAffinity and no address in it
    And every node has exactly one BlockAffinity, in the pool "default-ipv4-ippool", besides any LoadBalancer pool

  @claim:L09-03
  Scenario: A pool that selects no node gives no address automatically
    Then every pod and every node's tunnel address has an address in the pool "default-ipv4-ippool"

  @claim:L09-04
  Scenario: A DaemonSet annotated with the secondary pool takes its addresses from it
    When the pod template of the DaemonSet multitool-2 is annotated to take addresses from the pool "secondary-ipv4-ippool"
    Then every multitool-2 pod has an IP in the pool "secondary-ipv4-ippool"
    And every multitool-1 pod has an IP in the pool "default-ipv4-ippool"

  @claim:L09-05
  Scenario: Each node running such a pod claims a block of the secondary pool
    When the pod template of the DaemonSet multitool-2 is annotated to take addresses from the pool "secondary-ipv4-ippool"
    Then every node running a multitool-2 pod holds a BlockAffinity in the pool "secondary-ipv4-ippool", named after the node and the block, and the pod's IP lies in that block
