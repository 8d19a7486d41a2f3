@lesson-13 @topology:wireguard
Feature: WireGuard encryption between the nodes
  Lesson 13: the frontend-client sends requests with secret-looking headers to the backend-api
  on another node, and the backend answers with passwords and keys. Without WireGuard a capture
  on the node link reads all of it; one patch of the FelixConfiguration gives every node a
  wireguard.cali device, its peers, a firewall mark and a routing table, after which the link
  carries only UDP 51820; turning it off takes all of that away again.
  The client's requests are one round of its own loop, taken from its manifest.

  Background:
    Given a backend-api pod on any node, called "backend"
    And a frontend-client pod on any node, called "client"

  @claim:L13-01
  Scenario: The backend and the client run on two different nodes
    Then "client" and "backend" are Running on two different nodes

  @claim:L13-02
  Scenario: The backend answers through its Service
    Then from "client", "http://backend-api:8080" answers /api/health as healthy and /api/users with the users and their passwords

  @claim:L13-03
  Scenario: Before WireGuard there is no WireGuard field, device or mark rule
    Given WireGuard was never enabled in the FelixConfiguration
    Then the FelixConfiguration default holds no WireGuard field
    And no node has an interface wireguard.cali or an ip rule that matches a firewall mark

  @claim:L13-04
  Scenario: Before WireGuard the pods' requests cross the node link in clear
    Given WireGuard was never enabled in the FelixConfiguration
    When "client" sends its requests to "backend" while the eth0 of the node of "backend" is captured
    Then the capture shows their TCP on port 8080 in clear, with the client's headers and the backend's secrets, and no VXLAN

  @claim:L13-15
  Scenario: Traffic between two pods of one node never reaches eth0, with or without WireGuard
    Given WireGuard was never enabled in the FelixConfiguration
    When a new pod is created on the node of "backend", called "neighbour"
    And "neighbour" fetches from "backend" directly while the eth0 of their node is captured
    Then the capture shows no packet between the two pods
    When the FelixConfiguration is patched with wireguardEnabled true
    And "neighbour" fetches from "backend" directly while the eth0 of their node is captured
    Then the capture shows no packet between the two pods

  @claim:L13-05
  Scenario: The patch turns WireGuard on in the FelixConfiguration
    When the FelixConfiguration is patched with wireguardEnabled true
    Then the FelixConfiguration default holds wireguardEnabled: true

  @claim:L13-06
  Scenario: Every node gets wireguard.cali, up, 60 bytes below eth0
    When the FelixConfiguration is patched with wireguardEnabled true
    Then within 30 seconds every node has wireguard.cali UP, with eth0's MTU less 60 bytes

  @claim:L13-07 @live-only:a-tun-device-is-no-kernel-wireguard-device
  Scenario: wireguard.cali is a kernel WireGuard device
    Given WireGuard is enabled in the FelixConfiguration
    Then every node lists wireguard.cali as a kernel WireGuard device

  @claim:L13-08
  Scenario: Every node's WireGuard peers with every other node under the keys the Calico Nodes publish
    Given WireGuard is enabled in the FelixConfiguration
    When "client" sends its requests to "backend"
    Then on every node WireGuard listens on port 51820 with a fwmark and its Calico Node's key, one peer per other node at its InternalIP, and the node of "client" has shaken hands with the node of "backend"

  @claim:L13-09
  Scenario: A peer's allowed IPs are what is routed to its node
    Given WireGuard is enabled in the FelixConfiguration
    Then every peer's allowed IPs are exactly its node's blocks and its tunnel addresses

  @claim:L13-10
  Scenario: wireguard.cali holds one address from its node's block
    Given WireGuard is enabled in the FelixConfiguration
    Then every node's wireguard.cali holds one /32 from its own block, the address its Calico Node records

  @claim:L13-11
  Scenario: WireGuard routing is policy routing on the firewall mark
    Given WireGuard is enabled in the FelixConfiguration
    Then every node sends unmarked traffic through a table of the other nodes' blocks on wireguard.cali

  @claim:L13-12
  Scenario: With WireGuard the link shows no secret, only UDP 51820 between the nodes
    Given WireGuard is enabled in the FelixConfiguration
    When "client" sends its requests to "backend" while the eth0 of the node of "backend" is captured
    Then the capture shows none of the secrets and no TCP between the pods, only UDP 51820 between their nodes both ways

  @claim:L13-13
  Scenario: The UDP 51820 payloads are WireGuard messages
    Given WireGuard is enabled in the FelixConfiguration
    When "client" sends its requests to "backend" while the WireGuard packets on the eth0 of the node of "backend" are captured
    Then every UDP payload of the capture is a WireGuard message, data among them, with no HTTP text

  @claim:L13-14
  Scenario: Encryption is transparent to the pods
    Given WireGuard is enabled in the FelixConfiguration
    Then from "client", "http://backend-api:8080" answers /api/health as healthy and /api/users with the users and their passwords
    And while "client" sends its requests to "backend", the transfer counters of its node for the node of "backend" grow

  @claim:L13-16
  Scenario: Turning WireGuard off takes it all away and the secrets show again
    Given WireGuard is enabled in the FelixConfiguration
    When the FelixConfiguration is patched with wireguardEnabled false
    Then within 30 seconds no node has wireguard.cali, an ip rule that matches a firewall mark, or a route through wireguard.cali
    When "client" sends its requests to "backend" while the eth0 of the node of "backend" is captured
    Then the capture shows their TCP on port 8080 in clear, with the client's headers and the backend's secrets, and no VXLAN
