package dev.knoe.control.router;

/**
 * A link of the router's chain: answers the exchange, or passes it to the next link.
 *
 * <p>The chain is wired once per {@link DataPlane}, in a fixed order, from final classes that each
 * call one next link; nothing is allocated to run it, and in the running router every call site
 * sees one class, so the JIT calls (and inlines) it directly. Tests end a link's chain with their
 * own step.
 */
interface Step {

  void handle(Exchange ex);
}
