@lesson-04
Feature: Traffic to the ClusterIP is translated on the client's node
  Lesson 04: "Any Pod on any node sending traffic to the Service ClusterIP hits local
  kube-proxy rules on its node, then gets load-balanced to a healthy backend Pod (local or
  remote). Return traffic follows normal routing (no SNAT needed in-cluster)." The first two
  scenarios run their client on the control-plane node, where no nginx pod runs, so that its
  backend is always on another node.

  @claim:L04-09
  Scenario: The client's own node DNATs the connection; the wire carries the pod's address
    Given a new pod is created on the control-plane node, called "client"
    When "client" sends the line "get" to port 80 of the ClusterIP of "nginx-service" while every node is watched
    Then a DNAT rule of the Service's port "http" counted the connection on the client's node, and no other node translated it
    And the client node's eth0 carried the connection to the backend pod's IP, never to the ClusterIP

  @claim:L04-10
  Scenario: The backend sees the client pod's own address; conntrack holds the translation
    Given a new pod is created on the control-plane node, called "client"
    When "client" sends the line "get" to port 80 of the ClusterIP of "nginx-service"
    Then exactly one backend of the Service logged the line "get", coming from the client pod's own IP
    And the conntrack table of the client's node maps the ClusterIP to the backend that answered

  @claim:L04-11
  Scenario: Connections are spread over every ready endpoint
    Given a multitool-1 pod on a worker node, called "client"
    When "client" opens 100 connections to port 80 of the ClusterIP of "nginx-service"
    Then every backend of the Service received at least one of the connections
