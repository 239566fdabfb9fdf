package dev.knoe.control.spec;

import static dev.knoe.control.spec.Yaml.assertProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EndpointSpecTest {

  record Valid(String name, String yaml, EndpointSpec expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final EndpointSpec MINIMAL = EndpointSpec.of("my-endpoint");

  static Stream<Valid> valid() {
    return Stream.of(
        new Valid("defaults: key auth, no traffic", "name: my-endpoint", MINIMAL),
        new Valid(
            "token is an alias of aml_token",
            "name: my-endpoint\nauth_mode: token",
            MINIMAL.withAuthMode(AuthMode.AML_TOKEN)),
        new Valid(
            "auth_mode in any case",
            "name: my-endpoint\nauth_mode: AML_Token",
            MINIMAL.withAuthMode(AuthMode.AML_TOKEN)),
        new Valid(
            "traffic summing to 0 sends no traffic",
            "name: my-endpoint\ntraffic: {blue: 0, green: 0}",
            MINIMAL.withTraffic(Map.of("blue", 0, "green", 0))),
        new Valid(
            "a mirror at 50 % to a deployment without live traffic",
            "name: my-endpoint\ntraffic: {blue: 100, green: 0}\nmirror_traffic: {green: 50}",
            MINIMAL
                .withTraffic(Map.of("blue", 100, "green", 0))
                .withMirrorTraffic(Map.of("green", 50))),
        new Valid(
            "a name of 32 characters",
            "name: a234567890123456789012345678-2",
            EndpointSpec.of("a234567890123456789012345678-2")),
        new Valid(
            "a trigger's broker defaults to default",
            "name: my-endpoint\ntriggers:\n  - filter: {type: com.example.order.created}",
            new EndpointSpec(
                "my-endpoint",
                AuthMode.KEY,
                null,
                Map.of(),
                Map.of(),
                Map.of(),
                List.of(new Trigger("default", Map.of("type", "com.example.order.created"))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parses(Valid c) {
    assertEquals(c.expected(), Yaml.endpoint(c.yaml()).spec());
  }

  @Test
  void keepsTrafficInTheOrderWritten() {
    EndpointSpec spec = Yaml.endpoint("name: my-endpoint\ntraffic: {green: 10, blue: 90}").spec();

    assertEquals(List.of("green", "blue"), List.copyOf(spec.traffic().keySet()));
  }

  record Invalid(String name, String yaml, List<String> problems) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Invalid> invalid() {
    return Stream.of(
        new Invalid(
            "name of 2 characters",
            "name: ab",
            List.of("name 'ab' is 2 characters; endpoint and deployment names have 3 to 32")),
        new Invalid(
            "name of 33 characters",
            "name: a23456789012345678901234567890123",
            List.of(
                "name 'a23456789012345678901234567890123' is 33 characters; endpoint and deployment"
                    + " names have 3 to 32")),
        new Invalid(
            "name starting with a digit",
            "name: 1abc",
            List.of(
                "name '1abc' must start with a letter and hold only letters, digits and '-' (not"
                    + " at the end)")),
        new Invalid(
            "name ending in -",
            "name: abc-",
            List.of(
                "name 'abc-' must start with a letter and hold only letters, digits and '-' (not"
                    + " at the end)")),
        new Invalid(
            "name with an underscore",
            "name: my_endpoint",
            List.of(
                "name 'my_endpoint' must start with a letter and hold only letters, digits and '-'"
                    + " (not at the end)")),
        new Invalid("name missing", "auth_mode: key", List.of("name is required")),
        new Invalid(
            "Azure's aad_token auth",
            "name: my-endpoint\nauth_mode: aad_token",
            List.of(
                "auth_mode 'aad_token' is not key or aml_token (alias token); Microsoft Entra ID"
                    + " tokens are Azure's alone")),
        new Invalid(
            "traffic summing to 90",
            "name: my-endpoint\ntraffic: {blue: 80, green: 10}",
            List.of(
                "traffic sums to 90 (blue=80, green=10); it must sum to 100, or 0 to send no"
                    + " traffic")),
        new Invalid(
            "traffic out of 0..100",
            "name: my-endpoint\ntraffic: {blue: 120, green: -20}",
            List.of("traffic blue=120 is more than 100", "traffic green=-20 is less than 0")),
        new Invalid(
            "traffic that is not a number, and no sum complaint",
            "name: my-endpoint\ntraffic: {blue: ninety, green: 10}",
            List.of("traffic.blue: expected an integer, got 'ninety'")),
        new Invalid(
            "traffic in fractions",
            "name: my-endpoint\ntraffic: {blue: 99.5, green: 0.5}",
            List.of(
                "traffic.blue: expected an integer, got 99.5",
                "traffic.green: expected an integer, got 0.5")),
        new Invalid(
            "traffic as a list",
            "name: my-endpoint\ntraffic: [blue, green]",
            List.of("traffic: expected an object of name: integer, got a list")),
        new Invalid(
            "two mirror targets",
            "name: my-endpoint\ntraffic: {blue: 100}\nmirror_traffic: {green: 10, red: 10}",
            List.of(
                "mirror_traffic names 2 deployments (green=10, red=10); mirror_traffic may name"
                    + " one deployment")),
        new Invalid(
            "mirror above 50",
            "name: my-endpoint\ntraffic: {blue: 100}\nmirror_traffic: {green: 60}",
            List.of("mirror_traffic green=60 is more than 50")),
        new Invalid(
            "mirror target with live traffic",
            "name: my-endpoint\ntraffic: {blue: 90, green: 10}\nmirror_traffic: {green: 10}",
            List.of("green has live traffic (10); a mirror target must have 0 % live traffic")),
        new Invalid(
            "trigger without a filter",
            "name: my-endpoint\ntriggers: [{broker: default}]",
            List.of(
                "triggers[0].filter is empty; give at least type, e.g. {type:"
                    + " com.example.order.created}, since an empty filter also matches the"
                    + " endpoint's own knoe.score.response replies")),
        new Invalid(
            "trigger on the endpoint's own replies",
            "name: my-endpoint\ntriggers: [{filter: {type: knoe.score.response}}]",
            List.of(
                "triggers[0].filter type knoe.score.response would feed the endpoint its own"
                    + " replies")),
        new Invalid(
            "trigger on a broker that is not a Kubernetes name",
            "name: my-endpoint\ntriggers: [{broker: My Broker, filter: {type: a.b}}]",
            List.of(
                "triggers[0].broker 'My Broker' must be a Kubernetes name: lowercase letters,"
                    + " digits and '-'")),
        new Invalid(
            "trigger with an unknown key",
            "name: my-endpoint\ntriggers: [{filter: {type: a.b}, brokers: default}]",
            List.of("unknown key 'triggers[0].brokers': did you mean 'broker'?")),
        new Invalid(
            "a misspelt key",
            "name: my-endpoint\ntaffic: {blue: 100}",
            List.of("unknown key 'taffic': did you mean 'traffic'?")),
        new Invalid(
            "a key unlike any known one",
            "name: my-endpoint\ncolour: red",
            List.of(
                "unknown key 'colour'; known keys: name, auth_mode, description, tags, traffic,"
                    + " mirror_traffic, triggers")),
        new Invalid(
            "a deployment file given as an endpoint",
            "name: blue\nendpoint_name: my-endpoint\nmodel: model-1:1",
            List.of("this looks like a deployment (it has endpoint_name), not an endpoint")),
        new Invalid(
            "several problems reported together",
            "name: ab\nauth_mode: basic\ntraffic: {blue: 50}\nmirror_traffic: {blue: 60}",
            List.of(
                "auth_mode 'basic' is not key or aml_token (alias token)",
                "name 'ab' is 2 characters; endpoint and deployment names have 3 to 32",
                "traffic sums to 50 (blue=50); it must sum to 100, or 0 to send no traffic",
                "mirror_traffic blue=60 is more than 50",
                "blue has live traffic (50); a mirror target must have 0 % live traffic")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refuses(Invalid c) {
    assertProblems(c.problems(), () -> Yaml.endpoint(c.yaml()));
  }
}
