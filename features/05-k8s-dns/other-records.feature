@lesson-05
Feature: Pod records and names outside the cluster
  Lesson 05: with `pods insecure`, a dashed address under `<namespace>.pod.cluster.local`
  resolves to that address; names outside cluster.local are forwarded to the upstream
  resolver named in the node's resolv.conf.

  @claim:L05-13
  Scenario: A name outside the cluster gets what the node's upstream resolver answers
    Given a multitool-1 pod on a worker node, called "client"
    Then "client" looking up "www.example.org" gets the same A records as its node's upstream resolver

  @claim:L05-14
  Scenario: A pod's dashed address under its namespace resolves to the pod's IP
    Given a multitool-1 pod on a worker node, called "client"
    And a multitool-3 pod of namespace "foo" on another worker node, called "target"
    Then "client" looking up the pod record of "target" gets its IP
