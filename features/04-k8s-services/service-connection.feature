@lesson-04
Feature: A pod reaches nginx through the Service's name
  Lesson 04, exercise 3: from a pod, `telnet nginx-service 80` connects (the cluster DNS
  resolves the short name to the ClusterIP) and the bare line `get` brings back nginx's
  "400 Bad Request": the request crossed the Service to an nginx pod. Which pod answered is
  read from the backends' logs, as `kubectl logs` shows them.

  Background:
    Given a multitool-1 pod on a worker node, called "client"
    When "client" sends the line "get" to port 80 of the Service "nginx-service" by its name

  @claim:L04-04
  Scenario: A pod connects to nginx-service:80 by its short name
    Then the Service name resolved to its ClusterIP and the connection carried a reply

  @claim:L04-05
  Scenario: A bare "get" through the Service is answered by nginx with 400 Bad Request
    Then the reply starts with the status line "HTTP/1.1 400 Bad Request"
    And the reply has a "Server" header starting with "nginx/"
    And exactly one backend of the Service logged the line "get"
