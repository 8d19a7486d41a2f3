@lesson-03
Feature: Per-node address blocks
  Two DaemonSets put a multitool pod on every node. Calico's IPAM gives each node its
  own block of the pool, and every pod takes its address from its own node's block.

  @claim:L03-01
  Scenario Outline: The DaemonSet <daemonset> runs one pod on every node, the control-plane included
    Then the DaemonSet <daemonset> runs one Running pod on every node

    Examples:
      | daemonset   |
      | multitool-1 |
      | multitool-2 |

  @claim:L03-02
  Scenario: Each node has its own block and its pods take addresses from it
    Then every node holds its own block of the pool's block size
    And every pod's IP lies in a block affine to its own node

  @claim:L03-03
  Scenario: Blocks of different nodes never overlap
    Then no two blocks overlap
    And pods on the same node share a block and pods on different nodes do not
