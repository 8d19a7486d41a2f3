@lesson-04
Feature: kube-proxy follows the EndpointSlice
  Lesson 04: "Each node's kube-proxy maintains watches on Services and EndpointSlices; it gets
  incremental updates." When an nginx pod is deleted, the Deployment replaces it with a new pod
  (a new address), and every node's rules move to it; the Service keeps its ClusterIP.

  @claim:L04-12
  Scenario: After a replica is replaced, every node's rules point to the new pod only
    When a nginx-deployment pod of the Service "nginx-service" is deleted and its Deployment replaces it
    Then on every node, the chain of port "http" jumps to the new pod and not to the deleted one
    And the ClusterIP of the Service is unchanged
