@lesson-01
Feature: Calico IPAM: pools, blocks and block affinities
  Lesson 01: the operator turns the Installation's pool into an IPPool; Calico's IPAM cuts it
  into blocks, gives each node a block of its own (a BlockAffinity), and `calicoctl ipam show`
  counts what is in use.

  @claim:L01-01 @live-only:needs-the-kind-node-containers
  Scenario: The cluster's nodes are Kind node containers on the kind network
    Then every node is a Kind node container with its InternalIP on Docker's kind network

  @claim:L01-02 @live-only:needs-the-tigera-operator
  Scenario: The Tigera operator reports Calico and its API server healthy
    Then the Tigera operator reports "apiserver, calico" available and not degraded

  @claim:L01-03
  Scenario: The operator renders the Installation's pool as an IPPool with its settings
    Then every pool of the Calico Installation is an IP pool with the settings it declares

  @claim:L01-04
  Scenario: calicoctl ipam show counts the pods and the tunnel addresses as in use
    Then calicoctl ipam show counts each pool's size, its addresses in use and the rest as free, and what is in use is the pods on the pod network and the nodes' tunnel addresses

  @claim:L01-05
  Scenario: Each node holds one confirmed BlockAffinity for a block of the pool
    Then every node has a confirmed BlockAffinity for a block of its pool's block size
    And every node has exactly one confirmed BlockAffinity, for a block of its pool's block size

  @claim:L01-06
  Scenario: A BlockAffinity is named after its node and its block
    Then every BlockAffinity is named after its node and its block

  @claim:L01-07
  Scenario: Blocks are aligned slices of the pool
    Then every block lies inside its pool, aligned on its own size
