@lesson-04
Feature: A ClusterIP Service in front of the nginx Deployment
  Lesson 04 deploys nginx-deployment (two nginx replicas labelled app=nginx) and the ClusterIP
  Service nginx-service in front of them. The API server gives the Service a virtual IP from
  the Service CIDR, and the EndpointSlice controller lists the Ready pods it selects.

  @claim:L04-01
  Scenario: Both nginx replicas are Running and Ready on worker nodes
    Then the nginx-deployment Deployment has 2 pods, each Running and Ready with an IP from the pool, all on worker nodes

  @claim:L04-02
  Scenario: nginx-service is a ClusterIP Service with one port named http
    Then the Service "nginx-service" has type ClusterIP, a ClusterIP inside the Service CIDR, no external IP, and one port: 80/TCP named "http"

  @claim:L04-03
  Scenario: The EndpointSlice of nginx-service lists exactly the Ready nginx pods
    Then the EndpointSlice of "nginx-service" is IPv4 with port 80/TCP named "http", its ready endpoints exactly the Ready pods its selector matches
