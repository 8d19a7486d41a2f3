@network-model
Feature: The overlay's MTU leaves room for its header
  A VXLAN packet carries 50 bytes of outer headers, so the overlay interface must be that
  much smaller than the node's interface, or large packets are silently dropped.

  @claim:NET-04 @requires:vxlan-encapsulation
  Scenario: Calico's VXLAN interface is the node's MTU less 50 bytes
    Given the IP pool encapsulates with VXLAN
    Then on every node the VXLAN interface's MTU is eth0's MTU less 50 bytes
