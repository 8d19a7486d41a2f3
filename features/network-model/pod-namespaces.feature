@network-model
Feature: Who owns a network namespace
  A pod normally has a network namespace of its own, shared by all its containers; a
  hostNetwork pod has none and lives on its node's network.

  @claim:NET-05
  Scenario: A hostNetwork pod uses its node's IP
    Given a multitool-hostnet pod on any node, called "hostpod"
    Then "hostpod" has its node's InternalIP as its IP, on its own interfaces

  @claim:NET-06
  Scenario: The containers of a pod share its eth0, its IP and localhost
    Given a multitool-duo pod on any node, called "duo"
    Then every container of "duo" sees the same eth0 and IP
    And container "sidecar" of "duo" reaches a server in container "main" on localhost
