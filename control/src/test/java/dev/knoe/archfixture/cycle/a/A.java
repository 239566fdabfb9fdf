package dev.knoe.archfixture.cycle.a;

/** Half of a deliberate package cycle: shows that ArchitectureTest's cycle rule can fail. */
public class A {
  public dev.knoe.archfixture.cycle.b.B b;
}
