@lesson-11
Feature: Connections to a headless name go straight to a pod
  Lesson 11: a headless Service has no virtual IP and kube-proxy programs nothing for it, so
  `redis-cli -h redis-headless ping` connects to one of the pod IPs the DNS answered, and the
  redis pod sees the client pod's own address.

  @claim:L11-17
  Scenario: A redis PING to the headless name reaches a redis pod directly, from the client's IP
    Given a redis-client pod on a worker node, called "client"
    Then during a redis PING from "client" to "redis-headless", its capture shows the connection addressed to a pod of Service "redis-headless" from the DNS answer, and that pod's capture shows it coming from the client's own IP
