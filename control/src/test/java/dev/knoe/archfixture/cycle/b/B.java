package dev.knoe.archfixture.cycle.b;

/** The other half of the deliberate cycle. */
public class B {
  public dev.knoe.archfixture.cycle.a.A a;
}
